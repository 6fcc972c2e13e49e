/** The Segments page's routes: the list, the scores, and the editor of one segment (or a new one). */
import { Page } from '@strapi/strapi/admin';
import { Route, Routes } from 'react-router-dom';
import { ScoresPage } from './ScoresPage';
import { SegmentEditPage } from './SegmentEditPage';
import { SegmentsListPage } from './SegmentsListPage';

export default function App() {
  return (
    <Page.Protect permissions={[{ action: 'plugin::personalize.segments.read', subject: null }]}>
      <Routes>
        <Route index element={<SegmentsListPage />} />
        <Route path="scores" element={<ScoresPage />} />
        <Route path=":documentId" element={<SegmentEditPage />} />
      </Routes>
    </Page.Protect>
  );
}
