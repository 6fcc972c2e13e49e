/**
 * The home banner. The server picks the variant for this visitor; when the visitor's segments change
 * it pushes the new one and the banner swaps in place with a short cross-fade (keyed by document, so
 * only a real change of variant animates).
 */
import { Link } from 'react-router-dom';
import type { HomeQuery } from '../__generated__/graphql';

/** The banner as the home query selects it (generated from the schema). */
export type BannerData = NonNullable<HomeQuery['banner']>;

export function Banner({ banner }: { banner: BannerData | null | undefined }) {
  if (!banner) return <section className="banner placeholder" data-testid="home-banner" />;
  const segment = banner.personalization?.segment ?? '';
  return (
    <section
      key={banner.documentId}
      className={`banner swap theme-${banner.theme ?? 'neutral'}`}
      data-testid="home-banner"
      data-segment={segment}
      data-document={banner.documentId}
    >
      <h1>{banner.title}</h1>
      {banner.body ? <p>{banner.body}</p> : null}
      {banner.ctaLabel && banner.ctaUrl ? (
        <Link className="cta" to={banner.ctaUrl}>
          {banner.ctaLabel}
        </Link>
      ) : null}
      {segment ? <span className="badge">for {segment}</span> : null}
    </section>
  );
}
