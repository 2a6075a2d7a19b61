/**
 * The catalog in PostgreSQL. Parameterized queries only.
 *
 * With a streaming replica, the catalog's reads go there, off the primary, which takes the writes
 * (refresh tokens, the audit trail). A replica replays the primary's WAL a moment behind it; the
 * catalog changes only with a migration, so a read a moment old is the same read. While the
 * replica is unreachable, reads go to the primary first, and the replica first again after
 * REPLICA_RETRY_MS: a request pays a failed attempt on the replica at most once in that time. A
 * read that finds its first choice unreachable tries the other.
 */
import type { Catalog, Product, ProductPage } from 'core';
import { guardPostgres, isPostgresUnavailable, type Pool } from '../db/pool.ts';

export const REPLICA_RETRY_MS = 5000;

interface ProductRow {
  id: string;
  name: string;
  description: string;
  category: string;
  price_cents: number;
  currency: 'EUR';
}

const COLUMNS = 'id, name, description, category, price_cents, currency';

function toProduct(row: ProductRow): Product {
  return { id: row.id, name: row.name, description: row.description, category: row.category, priceCents: row.price_cents, currency: row.currency };
}

export class PgCatalog implements Catalog {
  #replicaDownUntil = 0;

  constructor(
    private readonly primary: Pool,
    private readonly replica: Pool | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether reads go to the replica now: there is one, and it has not just failed. */
  get readingFromReplica(): boolean {
    return this.replica !== null && this.now() >= this.#replicaDownUntil;
  }

  /**
   * A read, on the replica when there is one that answers, else on the primary; and the other way
   * round while the replica is marked down, so a read still finds whichever of the two answers.
   */
  #read<T>(query: (pool: Pool) => Promise<T>): Promise<T> {
    return guardPostgres(async () => {
      if (!this.replica) return query(this.primary);
      const replicaFirst = this.readingFromReplica;
      const [first, second] = replicaFirst ? [this.replica, this.primary] : [this.primary, this.replica];
      try {
        return await query(first);
      } catch (error) {
        if (!isPostgresUnavailable(error)) throw error;
        if (replicaFirst) this.#replicaDownUntil = this.now() + REPLICA_RETRY_MS;
      }
      return query(second);
    });
  }

  list(limit: number, offset: number): Promise<ProductPage> {
    return this.#read(async (pool) => {
      // One round trip: the page and the total, counted by a window over the same scan.
      const { rows } = await pool.query<ProductRow & { total: string }>(
        `SELECT ${COLUMNS}, count(*) OVER () AS total FROM products ORDER BY id LIMIT $1 OFFSET $2`,
        [limit, offset],
      );
      const total = rows[0] ? Number(rows[0].total) : Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM products')).rows[0]?.n ?? 0);
      return { items: rows.map(toProduct), total, limit, offset };
    });
  }

  get(id: string): Promise<Product | null> {
    return this.#read(async (pool) => {
      const { rows } = await pool.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = $1`, [id]);
      return rows[0] ? toProduct(rows[0]) : null;
    });
  }

  getMany(ids: readonly string[]): Promise<Map<string, Product>> {
    if (ids.length === 0) return Promise.resolve(new Map<string, Product>());
    return this.#read(async (pool) => {
      const { rows } = await pool.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = ANY($1::text[])`, [ids]);
      return new Map(rows.map((row) => [row.id, toProduct(row)]));
    });
  }

  /** The primary answers (what readiness needs: the replica's loss costs nothing but its load). */
  async ping(): Promise<void> {
    await guardPostgres(() => this.primary.query('SELECT 1'));
  }

  /** Whether the replica answers now; null without one. */
  async pingReplica(): Promise<boolean | null> {
    if (!this.replica) return null;
    try {
      await this.replica.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
