// A PostgreSQL stall longer than a worker's heartbeat lifetime (6 s) while a worker runs a job:
// the record store waits without blocking anyone, so the worker's heartbeat goes on, no node
// takes it for lost, and the job ends COMPLETED once the database answers again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PgDb } from "../store/postgres/pg-db.js";
import { needsClusterServices, startTestCluster } from "../testing/cluster-services.js";
import { eventually } from "../testing/eventually.js";
import { waitForEnd } from "../testing/test-engine.js";
import { TICKING_RUNNER } from "../testing/ticking-runner.js";

const STALL_S = 10;

test("a 10 s database stall while a worker runs a job: the job ends COMPLETED, never 'worker lost', and the API answers meanwhile", { skip: needsClusterServices, timeout: 180_000 }, async () => {
  await using cluster = await startTestCluster([{ name: "w1", devices: ["cpu"], concurrency: 1 }]);
  const { api } = cluster;
  const algorithm = await api.deploy("chatty", TICKING_RUNNER, { type: "Generic" });
  const { execution_id } = await api.engine.execute({ algorithm_id: algorithm, input_dataset_ids: [], additional_parameters: { ms: 3000 } });
  await eventually(async () => (await api.engine.getExecution(execution_id)).log.includes("tick"), "the job to run on w1", 60_000);

  // The stall: another client holds job_logs exclusively, so every log write waits on it.
  const admin = new PgDb(String(cluster.settings.database_url));
  let stallOver = false;
  const stall = admin.transaction(async (tx) => {
    await tx.run("LOCK TABLE job_logs IN ACCESS EXCLUSIVE MODE");
    await tx.run(`SELECT pg_sleep(${STALL_S})`);
    stallOver = true;
  });
  try {
    // Within the stall the API still answers from the tables that are not locked.
    await eventually(async () => (await admin.get("SELECT 1 FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation = 'job_logs'::regclass")) !== undefined, "the lock to be taken");
    assert.equal((await api.engine.listAlgorithms()).length, 1);
    assert.equal(stallOver, false, "the API answered while the database was stalled");
  } finally {
    await stall;
    await admin.close();
  }
  const rec = await waitForEnd(api.engine, execution_id, 60_000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.doesNotMatch(rec.log, /worker lost/);
  assert.match(rec.log, /tick 2950/, "every log line written during the stall is kept, in order");
  const ticks = [...rec.log.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(ticks, [...ticks].sort((a, b) => a - b));
});
