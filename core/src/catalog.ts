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

/** Prices cart lines (productId → quantity) in line order; throws UnknownProductError. */
export async function priceCart(catalog: Catalog, lines: readonly (readonly [string, number])[]): Promise<PricedCart> {
  const products = await catalog.getMany([...new Set(lines.map(([id]) => id))]);
  const missing = lines.map(([id]) => id).filter((id) => !products.has(id));
  if (missing.length > 0) throw new UnknownProductError([...new Set(missing)]);
  const items = lines.map(([productId, quantity]) => {
    const product = products.get(productId);
    if (!product) throw new UnknownProductError([productId]);
    return { productId, name: product.name, unitPriceCents: product.priceCents, quantity, lineTotalCents: product.priceCents * quantity };
  });
  return {
    items,
    itemCount: items.reduce((sum, line) => sum + line.quantity, 0),
    totalCents: items.reduce((sum, line) => sum + line.lineTotalCents, 0),
    currency: 'EUR',
  };
}
