// The temp folders of trainings (the temp store of SPEC section 3), one per training under one root.
// A folder lives exactly as long as its training: created when it starts running, removed when it
// ends, kept after a failure only when the user asked for it (`keep_failed_training_temp`).
import fs from "node:fs";
import path from "node:path";

export class TrainingTemp {
  constructor(readonly root: string) {}

  /** The folder of a training (whether or not it exists). */
  dirOf(trainingId: string): string {
    return path.join(this.root, trainingId);
  }

  /** Creates an empty temp folder for the training and returns it. */
  create(trainingId: string): string {
    const dir = this.dirOf(trainingId);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Removes the training's folder, or with `keep` leaves it and returns its path (when it exists). */
  release(trainingId: string, keep: boolean): string | undefined {
    const dir = this.dirOf(trainingId);
    if (!fs.existsSync(dir)) return undefined;
    if (keep) return dir;
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }

  /** Removes folders a previous process left behind, except those `keep` says to leave. */
  sweep(keep: (trainingId: string) => boolean): number {
    if (!fs.existsSync(this.root)) return 0;
    let removed = 0;
    for (const name of fs.readdirSync(this.root)) {
      if (keep(name)) continue;
      fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }
}
