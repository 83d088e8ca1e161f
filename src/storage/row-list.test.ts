import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { openStorage, type Storage } from './db.ts';
import {
  rowList,
  rowListParameters,
  selectRows,
  type RowListType,
  type RowValue,
} from './row-list.ts';

const TYPES: RowListType[] = ['bigint', 'text', 'bigint', 'text'];

/** Texts that an array literal, a JSON document or a quoted SQL string could mangle. */
const AWKWARD = [
  '',
  'NULL',
  'null',
  'a"b',
  'a\\b\\\\',
  '{x,y}',
  "O'Brien",
  'réponds 🙂 ça',
  'two\nlines\tand a tab',
  ' padded ',
  '[1,2]',
];

function rows(n: number): RowValue[][] {
  return Array.from({ length: n }, (_, i) => [
    i % 5 === 4 ? null : i * 1_000_003 - 7,
    i % 7 === 6 ? null : AWKWARD[i % AWKWARD.length]!,
    i === 0 ? Number.MAX_SAFE_INTEGER : 1_733_500_000_000 + i,
    String(i),
  ]);
}

for (const dialect of DIALECTS) {
  describe(
    `a list of rows in a fixed number of parameters [${dialect.name}]`,
    { skip: dialect.skip },
    () => {
      let db: TestDatabase;
      let storage: Storage;
      before(async () => {
        db = await createTestDatabase(dialect.name);
        storage = openStorage(db.target, { checkpointThread: false });
      });
      after(async () => {
        await storage?.close();
        await db?.drop();
      });

      const read = async (list: RowValue[][]) =>
        (
          await sql<
            Record<string, unknown>
          >`SELECT * FROM ${rowList(storage.caps, TYPES, list)} AS v`.execute(storage.db)
        ).rows.map((r) => [r.column1, r.column2, r.column3, r.column4]);

      it('gives back every value as sent, nulls and awkward texts included, in order', async () => {
        for (const n of [1, 2, 13, 300])
          assert.deepEqual(await read(rows(n)), rows(n), `${n} rows`);
        assert.deepEqual(await read([]), []);
      });

      it('is one statement, with as many parameters, whatever the number of rows', () => {
        const compiled = [1, 9, 250].map((n) =>
          sql`SELECT * FROM ${rowList(storage.caps, TYPES, rows(n))} AS v`.compile(storage.db),
        );
        assert.equal(new Set(compiled.map((c) => c.sql)).size, 1);
        assert.equal(new Set(compiled.map((c) => c.parameters.length)).size, 1);
        compiled.forEach((c, i) =>
          assert.deepEqual(
            c.parameters,
            rowListParameters(storage.caps, TYPES, rows([1, 9, 250][i]!)),
          ),
        );
      });

      it('feeds an insert that skips conflicts, and one that updates them', async () => {
        await sql`CREATE TABLE row_list_t (k bigint PRIMARY KEY, note text, n bigint)`.execute(
          storage.db,
        );
        const insert = (list: RowValue[][]) =>
          storage.db
            .insertInto('row_list_t' as never)
            .columns(['k', 'note', 'n'] as never)
            .expression(selectRows(storage.caps, ['bigint', 'text', 'bigint'], list))
            .onConflict((oc) => oc.column('k' as never).doNothing());
        await insert([
          [1, 'one', 10],
          [2, null, 20],
        ]).execute();
        await insert([
          [2, 'two again', 21],
          [3, 'three', 30],
        ]).execute();
        await storage.db
          .insertInto('row_list_t' as never)
          .columns(['k', 'note', 'n'] as never)
          .expression(selectRows(storage.caps, ['bigint', 'text', 'bigint'], [[1, 'one', 5]]))
          .onConflict((oc) =>
            oc.column('k' as never).doUpdateSet({ n: sql`row_list_t.n + excluded.n` }),
          )
          .execute();
        const stored = await sql<{ k: number; note: string | null; n: number }>`
        SELECT k, note, n FROM row_list_t ORDER BY k`.execute(storage.db);
        assert.deepEqual(
          stored.rows.map((r) => [Number(r.k), r.note, Number(r.n)]),
          [
            [1, 'one', 15],
            [2, null, 20],
            [3, 'three', 30],
          ],
        );
      });
    },
  );
}
