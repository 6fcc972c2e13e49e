/** The cart and the checkout (which records `Order Completed`, ending cart abandonment). */
import { Link } from 'react-router-dom';
import { checkout, useCart } from '../cart';

export function CartPage() {
  const cart = useCart();
  const total = cart.reduce((sum, line) => sum + line.price * line.quantity, 0);
  if (cart.length === 0)
    return (
      <p data-testid="cart-empty">
        Your cart is empty. <Link to="/">Keep shopping</Link>
      </p>
    );
  return (
    <section className="cart" data-testid="cart">
      <h1>Your cart</h1>
      <ul>
        {cart.map((line) => (
          <li key={line.slug}>
            {line.quantity} × <Link to={`/products/${line.slug}`}>{line.name}</Link> — €
            {line.price * line.quantity}
          </li>
        ))}
      </ul>
      <p className="price">Total €{total}</p>
      <button type="button" data-testid="checkout" onClick={checkout}>
        Buy now
      </button>
    </section>
  );
}
