// The repositories' SQL in PostgreSQL's terms: `?` and `@name` parameters become `$1…$n` (outside
// string literals), and better-sqlite3's ways of passing them (positional values, or one object of
// named ones) become one array.

export interface PgQuery {
  text: string;
  values: unknown[];
}

const isNamedParams = (params: readonly unknown[]): params is [Record<string, unknown>] =>
  params.length === 1 && params[0] !== null && typeof params[0] === "object" && !Array.isArray(params[0]) && !ArrayBuffer.isView(params[0]);

/** Rewrites `sql` with better-sqlite3-style `params` into a PostgreSQL query. */
export function toPostgres(sql: string, params: readonly unknown[]): PgQuery {
  const named = isNamedParams(params) ? params[0] : undefined;
  const values: unknown[] = [];
  const slots = new Map<string, number>();
  let positional = 0;
  let text = "";
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'") {
      // A string literal ('' is an escaped quote): copied as it is.
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      text += sql.slice(i, j + 1);
      i = j;
    } else if (c === "?") {
      if (named) throw new Error("SQL mixes ? with named parameters");
      values.push(params[positional++]);
      text += `$${values.length}`;
    } else if (c === "@" && /[A-Za-z_]/.test(sql[i + 1] ?? "")) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      if (!named || !(name in named)) throw new Error(`SQL parameter @${name} has no value`);
      let slot = slots.get(name);
      if (slot === undefined) {
        values.push(named[name]);
        slots.set(name, (slot = values.length));
      }
      text += `$${slot}`;
      i += name.length;
    } else text += c;
  }
  if (!named && positional !== params.length) throw new Error(`SQL takes ${positional} parameter(s), ${params.length} given`);
  return { text, values };
}
