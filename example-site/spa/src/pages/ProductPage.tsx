/** One product: its view is tracked (`Product Viewed` with id and price), and it can go to the cart. */
import { usePersonalize, useLive } from '@personalize/client/react';
import { useEffect } from 'react';
import { Link, useParams } from 'react-router-dom';
import { addToCart } from '../cart';
import { ProductDocument } from '../graphql/documents';

export function ProductPage() {
  const { slug = '' } = useParams();
  const client = usePersonalize();
  const { data, loading, error } = useLive(ProductDocument, { slug });
  const product = data?.product;
  const price = Number(product?.price ?? 0);

  useEffect(() => {
    if (product) client.track('Product Viewed', { productId: product.slug, name: product.name, price });
  }, [client, product?.slug]);

  if (loading && !product) return <p className="muted">Loading…</p>;
  if (error && !product) return <p className="error">{String(error)}</p>;
  if (!product)
    return (
      <p>
        No such product. <Link to="/">Back home</Link>
      </p>
    );
  return (
    <article className="product" data-testid="product">
      <h1>{product.name}</h1>
      <p className="price">€{price}</p>
      <p>{product.description}</p>
      <button
        type="button"
        data-testid="add-to-cart"
        onClick={() => addToCart({ slug: product.slug ?? slug, name: product.name ?? slug, price })}
      >
        Add to cart
      </button>
    </article>
  );
}
