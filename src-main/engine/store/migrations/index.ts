// Numbered, append-only migrations: never edit one that has shipped, add the next number.
import type { Database } from "better-sqlite3";
import * as m0001 from "./0001-algorithms.js";
import * as m0002 from "./0002-datasets-executions.js";
import * as m0003 from "./0003-training.js";
import * as m0004 from "./0004-job-logs.js";
import * as m0005 from "./0005-benchmarks-deploys.js";
import * as m0006 from "./0006-record-algorithm-names.js";
import * as m0007 from "./0007-record-workers.js";
import * as m0008 from "./0008-record-ended.js";

export interface Migration {
  version: number;
  up(db: Database): void;
}

export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008];
