/** The catalog in PostgreSQL. Parameterized queries only. */
import type { Catalog, Product, ProductPage } from 'core';
import { guardPostgres, type Pool } from '../db/pool.ts';

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
  constructor(private readonly pool: Pool) {}

  list(limit: number, offset: number): Promise<ProductPage> {
    return guardPostgres(async () => {
      // One round trip: the page and the total, counted by a window over the same scan.
      const { rows } = await this.pool.query<ProductRow & { total: string }>(
        `SELECT ${COLUMNS}, count(*) OVER () AS total FROM products ORDER BY id LIMIT $1 OFFSET $2`,
        [limit, offset],
      );
      const total = rows[0] ? Number(rows[0].total) : Number((await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM products')).rows[0]?.n ?? 0);
      return { items: rows.map(toProduct), total, limit, offset };
    });
  }

  get(id: string): Promise<Product | null> {
    return guardPostgres(async () => {
      const { rows } = await this.pool.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = $1`, [id]);
      return rows[0] ? toProduct(rows[0]) : null;
    });
  }

  getMany(ids: readonly string[]): Promise<Map<string, Product>> {
    if (ids.length === 0) return Promise.resolve(new Map<string, Product>());
    return guardPostgres(async () => {
      const { rows } = await this.pool.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = ANY($1::text[])`, [ids]);
      return new Map(rows.map((row) => [row.id, toProduct(row)]));
    });
  }

  async ping(): Promise<void> {
    await guardPostgres(() => this.pool.query('SELECT 1'));
  }
}
