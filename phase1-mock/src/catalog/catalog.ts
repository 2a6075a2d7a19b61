/** The catalog read once from data/products.json and served from memory. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog, Product, ProductPage } from 'core';

export function readProductsFile(dataDir: string): Product[] {
  const products = JSON.parse(readFileSync(join(dataDir, 'products.json'), 'utf8')) as Product[];
  return [...products].sort((a, b) => a.id.localeCompare(b.id));
}

export class JsonCatalog implements Catalog {
  readonly #ordered: Product[];
  readonly #byId: Map<string, Product>;

  constructor(products: Product[]) {
    this.#ordered = products;
    this.#byId = new Map(products.map((product) => [product.id, product]));
  }

  list(limit: number, offset: number): Promise<ProductPage> {
    return Promise.resolve({ items: this.#ordered.slice(offset, offset + limit), total: this.#ordered.length, limit, offset });
  }

  get(id: string): Promise<Product | null> {
    return Promise.resolve(this.#byId.get(id) ?? null);
  }

  getMany(ids: readonly string[]): Promise<Map<string, Product>> {
    const found = new Map<string, Product>();
    for (const id of ids) {
      const product = this.#byId.get(id);
      if (product) found.set(id, product);
    }
    return Promise.resolve(found);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }
}
