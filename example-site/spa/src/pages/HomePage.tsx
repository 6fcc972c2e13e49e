/**
 * The home page, read as one live query: banner, blocks (each tagged per segment on the server),
 * articles and products. Nothing is refetched: when the visitor's segments change, the server
 * pushes the new result and React swaps what differs.
 */
import { useLive } from '@personalize/client/react';
import { Link } from 'react-router-dom';
import { Banner } from '../components/Banner';
import { HomeDocument } from '../graphql/documents';

export function HomePage() {
  const { data, error } = useLive(HomeDocument);
  if (error && !data) return <p className="error">Could not load the home page: {String(error)}</p>;
  const blocks = data?.homePage?.blocks ?? [];
  return (
    <div className="home">
      <Banner banner={data?.banner} />
      <div className="blocks">
        {blocks.map((block, index) => {
          if (!block) return null;
          const segment = 'personalization' in block ? (block.personalization?.segment ?? '') : '';
          const key = `${block.__typename}-${block.title}`;
          switch (block.__typename) {
            case 'ComponentBlocksHero':
              return (
                <section
                  key={key}
                  className={`block hero swap theme-${block.heroTheme ?? 'neutral'}`}
                  data-segment={segment}
                >
                  <h2>{block.title}</h2>
                  <p>{block.subtitle}</p>
                </section>
              );
            case 'ComponentBlocksPromo':
              return (
                <section
                  key={key}
                  className={`block promo swap theme-${block.promoTheme ?? 'neutral'}`}
                  data-segment={segment}
                >
                  <h3>{block.title}</h3>
                  <p>{block.text}</p>
                  {block.ctaUrl ? <Link to={block.ctaUrl}>{block.ctaLabel ?? 'More'}</Link> : null}
                </section>
              );
            case 'ComponentBlocksArticleList':
              return (
                <section key={key} className="block article-list swap" data-segment={segment}>
                  <h3>{block.title}</h3>
                  <ul>
                    {(data?.articles ?? [])
                      .filter((article) => article?.category === block.category)
                      .slice(0, 4)
                      .map((article) => (
                        <li key={article!.slug}>
                          <Link to={`/articles/${article!.slug}`}>{article!.title}</Link>
                        </li>
                      ))}
                  </ul>
                </section>
              );
            default:
              return <div key={index} />;
          }
        })}
      </div>
      <section className="catalogue">
        <h2>Articles</h2>
        <ul className="cards">
          {(data?.articles ?? []).map((article) =>
            article ? (
              <li key={article.slug} className="card">
                <span className="tag">{article.category}</span>
                <Link to={`/articles/${article.slug}`}>{article.title}</Link>
                <p className="muted">{article.summary}</p>
              </li>
            ) : null,
          )}
        </ul>
        <h2>Products</h2>
        <ul className="cards">
          {(data?.products ?? []).map((product) =>
            product ? (
              <li key={product.slug} className="card">
                <Link to={`/products/${product.slug}`}>{product.name}</Link>
                <p className="price">€{product.price}</p>
              </li>
            ) : null,
          )}
        </ul>
      </section>
    </div>
  );
}
