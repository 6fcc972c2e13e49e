/** One article; its view is tracked once per visit (`Article Viewed` with the category the rules count). */
import { usePersonalize, useLive } from '@personalize/client/react';
import { useEffect } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ArticleDocument } from '../graphql/documents';

export function ArticlePage() {
  const { slug = '' } = useParams();
  const client = usePersonalize();
  const { data, loading, error } = useLive(ArticleDocument, { slug });
  const article = data?.article;

  useEffect(() => {
    if (article)
      client.track('Article Viewed', {
        articleId: article.slug,
        title: article.title,
        category: article.category,
      });
    // Once per article shown: re-renders of the same article are not new views.
  }, [client, article?.slug]);

  if (loading && !article) return <p className="muted">Loading…</p>;
  if (error && !article) return <p className="error">{String(error)}</p>;
  if (!article)
    return (
      <p>
        No such article. <Link to="/">Back home</Link>
      </p>
    );
  return (
    <article className="article" data-testid="article" data-category={article.category}>
      <span className="tag">{article.category}</span>
      <h1>{article.title}</h1>
      <p className="lead">{article.summary}</p>
      <p>{article.body}</p>
    </article>
  );
}
