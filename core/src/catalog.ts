/**
 * The product catalog behind one interface: JSON files read at start in phase 1, PostgreSQL in
 * phase 2. Pricing a cart lives here too, because both cart operations (the quoted one and the
 * session's) price lines the same way.
 */

export interface Product {
  id: string;
  name: string;
  description: string;
  category: string;
  priceCents: number;
  currency: 'EUR';
}

export interface ProductPage {
  items: Product[];
  total: number;
  limit: number;
  offset: number;
}

export interface PricedCart {
  items: { productId: string; name: string; unitPriceCents: number; quantity: number; lineTotalCents: number }[];
  itemCount: number;
  totalCents: number;
  currency: 'EUR';
  /** Stored lines whose product has left the catalog: kept, not priced, until the client removes them. */
  unavailable?: { productId: string; quantity: number }[];
}

export interface Catalog {
  list(limit: number, offset: number): Promise<ProductPage>;
  get(id: string): Promise<Product | null>;
  /** The products with these ids that exist, by id. */
  getMany(ids: readonly string[]): Promise<Map<string, Product>>;
  ping(): Promise<void>;
}

export class UnknownProductError extends Error {
  constructor(readonly productIds: string[]) {
    super(`unknown product: ${productIds.join(', ')}`);
  }
}

/**
 * Prices cart lines (productId → quantity) in line order. A product the catalog does not have is
 * the client's mistake in a cart it sent (`refuse`: UnknownProductError, answered 422), but not in
 * a cart the server kept: a product removed since it was added is set aside (`set-aside`), so the
 * cart still reads and the line can be removed.
 */
export async function priceCart(catalog: Catalog, lines: readonly (readonly [string, number])[], unknown: 'refuse' | 'set-aside' = 'refuse'): Promise<PricedCart> {
  const products = await catalog.getMany([...new Set(lines.map(([id]) => id))]);
  const missing = lines.filter(([id]) => !products.has(id));
  if (missing.length > 0 && unknown === 'refuse') throw new UnknownProductError([...new Set(missing.map(([id]) => id))]);
  const items = lines.flatMap(([productId, quantity]) => {
    const product = products.get(productId);
    return product ? [{ productId, name: product.name, unitPriceCents: product.priceCents, quantity, lineTotalCents: product.priceCents * quantity }] : [];
  });
  return {
    items,
    itemCount: items.reduce((sum, line) => sum + line.quantity, 0),
    totalCents: items.reduce((sum, line) => sum + line.lineTotalCents, 0),
    currency: 'EUR',
    ...(missing.length > 0 ? { unavailable: missing.map(([productId, quantity]) => ({ productId, quantity })) } : {}),
  };
}
