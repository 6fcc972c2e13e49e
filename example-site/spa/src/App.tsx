/** Routes and the frame around them: navigation, the page, and the "why am I seeing this" panel. */
import { useEffect } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router-dom';
import { useCart } from './cart';
import { IdentifyForm } from './components/IdentifyForm';
import { WhyPanel } from './components/WhyPanel';
import { ArticlePage } from './pages/ArticlePage';
import { CartPage } from './pages/CartPage';
import { HomePage } from './pages/HomePage';
import { ProductPage } from './pages/ProductPage';
import { personalize } from './personalize';

export function App() {
  const location = useLocation();
  const cart = useCart();
  // One page view per navigation (the engagement score counts them).
  useEffect(() => {
    personalize.track('page', { path: location.pathname });
  }, [location.pathname]);

  return (
    <div className="layout">
      <header className="top">
        <Link to="/" className="brand">
          Personalize demo store
        </Link>
        <nav>
          <Link to="/">Home</Link>
          <Link to="/cart" data-testid="cart-link">
            Cart ({cart.reduce((sum, line) => sum + line.quantity, 0)})
          </Link>
        </nav>
        <IdentifyForm />
      </header>
      <main>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/articles/:slug" element={<ArticlePage />} />
          <Route path="/products/:slug" element={<ProductPage />} />
          <Route path="/cart" element={<CartPage />} />
          <Route
            path="*"
            element={
              <p>
                Nothing here. <Link to="/">Back home</Link>
              </p>
            }
          />
        </Routes>
      </main>
      <WhyPanel />
    </div>
  );
}
