import { lazy, Suspense, useEffect } from 'react';
import { Loading, Notice } from './components/common.js';
import { LiveToggle } from './components/live-toggle.js';
import { TokenControl } from './components/token-control.js';
import { Link, matchRoute, useLocation } from './router.js';
import { getMeta } from './services/overview.js';
import { useApi } from './use-api.js';

// One chunk per page, so that a page loads only its own code: the graph library (React Flow) and
// the graph's grouping and layout come with the workflow page alone.
const RunningPage = lazy(() => import('./routes/running-page.js').then((module) => ({ default: module.RunningPage })));
const ControlsPage = lazy(() => import('./routes/controls-page.js').then((module) => ({ default: module.ControlsPage })));
const FailuresPage = lazy(() => import('./routes/failures-page.js').then((module) => ({ default: module.FailuresPage })));
const GraphPage = lazy(() => import('./routes/graph-page.js').then((module) => ({ default: module.GraphPage })));
const JobPage = lazy(() => import('./routes/job-page.js').then((module) => ({ default: module.JobPage })));
const JobsPage = lazy(() => import('./routes/jobs-page.js').then((module) => ({ default: module.JobsPage })));
const OverviewPage = lazy(() => import('./routes/overview-page.js').then((module) => ({ default: module.OverviewPage })));
const SubmitPage = lazy(() => import('./routes/submit-page.js').then((module) => ({ default: module.SubmitPage })));
const WorkflowsPage = lazy(() => import('./routes/workflows-page.js').then((module) => ({ default: module.WorkflowsPage })));
const TypePage = lazy(() => import('./routes/type-page.js').then((module) => ({ default: module.TypePage })));

const titles: Record<string, string> = { overview: 'Overview', jobs: 'Jobs', job: 'Job', graph: 'Workflow', submit: 'Submit', failures: 'Failures', controls: 'Controls', running: 'Running', workflows: 'Workflows', type: 'Job type', 'not-found': 'Not found' };

export function App() {
  const location = useLocation();
  const route = matchRoute(location.pathname);
  const meta = useApi((signal) => getMeta(signal), [], { refreshMs: 60_000, events: false });
  useEffect(() => {
    document.title = `${titles[route.page]} · Jobby admin`;
  }, [route.page]);
  const section = route.page === 'job' || route.page === 'graph' ? 'jobs' : route.page;

  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Jobby
        </Link>
        <nav aria-label="Main">
          <Link to="/" aria-current={section === 'overview' ? 'page' : undefined}>Overview</Link>
          <Link to="/jobs" aria-current={section === 'jobs' ? 'page' : undefined}>Jobs</Link>
          <Link to="/workflows" aria-current={section === 'workflows' ? 'page' : undefined}>Workflows</Link>
          <Link to="/running" aria-current={section === 'running' ? 'page' : undefined}>Running</Link>
          <Link to="/failures" aria-current={section === 'failures' ? 'page' : undefined}>Failures</Link>
          <Link to="/controls" aria-current={section === 'controls' ? 'page' : undefined}>Controls</Link>
          <Link to="/submit" aria-current={section === 'submit' ? 'page' : undefined}>Submit</Link>
        </nav>
        <div className="topbar-end">
          {meta.data ? (
            <span className="muted small db-label" title={`schema ${meta.data.schema}`}>
              {meta.data.databaseKind === 'embedded' ? 'embedded database' : 'Postgres'} · {meta.data.schema}
            </span>
          ) : null}
          {meta.data && meta.data.access !== 'none' ? <LiveToggle /> : null}
          <TokenControl meta={meta.data} />
        </div>
      </header>
      {meta.data?.embeddedOpen ? (
        <div className="banner banner-warning" role="status">
          Changes are open without a token: this is the local embedded database of the quick start. Set JOBBY_ADMIN_TOKEN to require one.
        </div>
      ) : null}
      {meta.data?.readOnly ? (
        <div className="banner" role="status">
          Read-only: no JOBBY_ADMIN_TOKEN is configured on the server, so jobs cannot be submitted, retried or cancelled here.
        </div>
      ) : null}
      {meta.data?.access === 'none' ? (
        <div className="banner banner-warning" role="status">
          This server needs a token to show anything: enter the read token (JOBBY_ADMIN_READ_TOKEN) or the operator token (JOBBY_ADMIN_TOKEN) with the Token button.
        </div>
      ) : null}
      <main id="main">
        {meta.error ? <Notice kind="error">The admin API is not answering: {meta.error.message}</Notice> : null}
        <Suspense fallback={<Loading what="the page" />}>
          {route.page === 'overview' ? <OverviewPage /> : null}
          {route.page === 'jobs' ? <JobsPage /> : null}
          {route.page === 'job' ? <JobPage key={route.id} id={route.id} meta={meta.data} /> : null}
          {route.page === 'graph' ? <GraphPage id={route.id} /> : null}
          {route.page === 'submit' ? <SubmitPage meta={meta.data} /> : null}
          {route.page === 'failures' ? <FailuresPage /> : null}
          {route.page === 'controls' ? <ControlsPage meta={meta.data} /> : null}
          {route.page === 'running' ? <RunningPage /> : null}
          {route.page === 'workflows' ? <WorkflowsPage /> : null}
          {route.page === 'type' ? <TypePage type={route.type} /> : null}
          {route.page === 'not-found' ? (
            <Notice>
              There is no page at {location.pathname}. <Link to="/">Go to the overview</Link>.
            </Notice>
          ) : null}
        </Suspense>
      </main>
    </>
  );
}
