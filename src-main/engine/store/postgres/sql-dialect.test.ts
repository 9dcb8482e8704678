import assert from "node:assert/strict";
import { test } from "node:test";
import { toPostgres } from "./sql-dialect.js";

test("? parameters become $1…$n, in order, and string literals are left alone", () => {
  assert.deepEqual(toPostgres("SELECT * FROM t WHERE a = ? AND b IN ('?', 'it''s ?') AND c < ?", [1, "x"]), {
    text: "SELECT * FROM t WHERE a = $1 AND b IN ('?', 'it''s ?') AND c < $2",
    values: [1, "x"],
  });
});

test("@name parameters take their values from one object; a name used twice is one slot", () => {
  assert.deepEqual(toPostgres("INSERT INTO t (a, b) VALUES (@a, @b) ON CONFLICT (a) DO UPDATE SET b = @b", [{ b: 2, a: "k", unused: 3 }]), {
    text: "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = $2",
    values: ["k", 2],
  });
});

test("a missing or extra parameter is an error, not a silent NULL", () => {
  assert.throws(() => toPostgres("SELECT ? , ?", [1]), /takes 2 parameter\(s\), 1 given/);
  assert.throws(() => toPostgres("SELECT ?", [1, 2]), /takes 1 parameter\(s\), 2 given/);
  assert.throws(() => toPostgres("SELECT @a", [{ b: 1 }]), /@a has no value/);
});
