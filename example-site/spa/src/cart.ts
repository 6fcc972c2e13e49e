/**
 * The cart: kept in `localStorage` (so every tab sees the same cart) and mirrored to the personalize
 * server as events (`Product Added`, `Order Completed`), which is all the segments need.
 */
import { useSyncExternalStore } from 'react';
import { personalize } from './personalize';

export interface CartLine {
  slug: string;
  name: string;
  price: number;
  quantity: number;
}

const KEY = 'demo.cart';
const listeners = new Set<() => void>();
let snapshot: CartLine[] = read();

function read(): CartLine[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as CartLine[]) : [];
  } catch {
    return [];
  }
}

function write(lines: CartLine[]): void {
  snapshot = lines;
  localStorage.setItem(KEY, JSON.stringify(lines));
  for (const listener of listeners) listener();
}

// Another tab changed the cart: pick it up.
addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  snapshot = read();
  for (const listener of listeners) listener();
});

/** The cart, re-rendered on change (in this tab or another). */
export function useCart(): CartLine[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => snapshot,
  );
}

/** Adds one unit and tells the server (`Product Added`, Segment e-commerce spec). */
export function addToCart(product: { slug: string; name: string; price: number }): void {
  const lines = snapshot.map((line) => ({ ...line }));
  const line = lines.find((candidate) => candidate.slug === product.slug);
  if (line) line.quantity += 1;
  else lines.push({ ...product, quantity: 1 });
  write(lines);
  personalize.track('Product Added', {
    productId: product.slug,
    name: product.name,
    price: product.price,
    quantity: 1,
  });
}

/** Empties the cart and records the purchase (`Order Completed`). */
export function checkout(): void {
  const total = snapshot.reduce((sum, line) => sum + line.price * line.quantity, 0);
  personalize.track('Order Completed', {
    orderId: crypto.randomUUID?.() ?? String(Date.now()),
    total,
    currency: 'EUR',
    products: snapshot.map((line) => ({ productId: line.slug, price: line.price, quantity: line.quantity })),
  });
  write([]);
}
