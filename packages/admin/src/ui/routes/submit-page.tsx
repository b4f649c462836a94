import { useEffect, useMemo, useState } from 'react';
import type { JobTypeInfo, MetaResponse } from '../../shared/api-types.js';
import { ErrorBox, Loading, Notice, PageHeader } from '../components/common.js';
import { FieldEditor } from '../components/schema-form.js';
import { navigate, useLocation } from '../router.js';
import { ApiError } from '../services/api-client.js';
import { submitJob } from '../services/jobs.js';
import { getOverview } from '../services/overview.js';
import { draftFromValue, draftToValue, fieldFromSchema, initialDraft, type Draft, type FieldProblem } from '../services/schema-form.js';
import { useApi } from '../use-api.js';

/**
 * Submit a job: pick a submittable type, fill the form generated from its input schema (or edit
 * the JSON), optionally add dependencies and options. The browser checks what it can; the server
 * validates with the real schema, and its problems land on the same fields.
 */
export function SubmitPage({ meta }: { meta: MetaResponse | undefined }) {
  const location = useLocation();
  const overview = useApi((signal) => getOverview(signal), []);
  const submittable = useMemo(() => overview.data?.plugins.flatMap((plugin) => plugin.jobTypes).filter((type) => type.submittable) ?? [], [overview.data]);
  const allTypes = useMemo(() => overview.data?.plugins.flatMap((plugin) => plugin.jobTypes) ?? [], [overview.data]);
  const requested = new URLSearchParams(location.search).get('type') ?? '';
  const [typeName, setTypeName] = useState(requested);
  useEffect(() => {
    if (!typeName && submittable[0]) setTypeName(submittable[0].fullName);
  }, [submittable, typeName]);
  const type = submittable.find((entry) => entry.fullName === typeName);

  if (overview.error) return <ErrorBox error={overview.error} />;
  if (!overview.data) return <Loading what="job types" />;
  return (
    <>
      <PageHeader title="Submit a job" subtitle="Only job types their plugin marks submittable are listed. Submitting the same type and key again returns the existing job." />
      {meta?.readOnly ? <Notice kind="warning">This admin server is read-only: submissions will be refused until it is started with JOBBY_ADMIN_TOKEN.</Notice> : null}
      {submittable.length === 0 ? (
        <Notice>No registered job type is submittable.</Notice>
      ) : (
        <section className="card">
          <div className="field">
            <label htmlFor="submit-type">Job type</label>
            <select id="submit-type" value={typeName} onChange={(event) => setTypeName(event.target.value)}>
              {submittable.map((entry) => (
                <option key={entry.id} value={entry.fullName}>{entry.fullName}</option>
              ))}
            </select>
            {type?.description ? <p className="field-help">{type.description}</p> : null}
          </div>
          {type ? <SubmitForm key={type.fullName} type={type} allTypes={allTypes} /> : null}
        </section>
      )}
    </>
  );
}

function SubmitForm({ type, allTypes }: { type: JobTypeInfo; allTypes: JobTypeInfo[] }) {
  const field = useMemo(() => fieldFromSchema(type.inputSchema ?? undefined), [type]);
  const [draft, setDraft] = useState<Draft>(() => initialDraft(field));
  const [asJson, setAsJson] = useState(field.kind === 'json');
  const [jsonText, setJsonText] = useState('{}');
  const [key, setKey] = useState('');
  const [dependencies, setDependencies] = useState<{ type: string; key: string }[]>([]);
  const [options, setOptions] = useState({ maxAttempts: '', priority: '', runAt: '' });
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);

  const converted = asJson ? undefined : draftToValue(field, draft);
  const visibleProblems = touched ? [...(converted?.problems ?? []), ...problems] : problems;

  const switchMode = () => {
    if (asJson) {
      try {
        setDraft(draftFromValue(field, JSON.parse(jsonText)));
        setAsJson(false);
        setError(undefined);
      } catch (parseError) {
        setError(`The JSON is not valid, so it cannot become a form: ${(parseError as Error).message}`);
      }
    } else {
      setJsonText(JSON.stringify(converted?.value ?? {}, null, 2));
      setAsJson(true);
    }
  };

  const submit = async () => {
    setTouched(true);
    setProblems([]);
    setError(undefined);
    let input: unknown;
    if (asJson) {
      try {
        input = JSON.parse(jsonText);
      } catch (parseError) {
        setProblems([{ path: '', message: `is not valid JSON: ${(parseError as Error).message}` }]);
        return;
      }
    } else {
      if (converted!.problems.length > 0) return;
      input = converted!.value;
    }
    if (!key.trim()) {
      setProblems([{ path: '#key', message: 'A key is required: it identifies the job (submitting the same type and key again is a no-op).' }]);
      return;
    }
    setBusy(true);
    try {
      const result = await submitJob({
        type: type.fullName,
        key: key.trim(),
        input,
        dependsOn: dependencies.filter((dependency) => dependency.key.trim()).map((dependency) => ({ type: dependency.type, key: dependency.key.trim() })),
        maxAttempts: options.maxAttempts ? Number(options.maxAttempts) : undefined,
        priority: options.priority ? Number(options.priority) : undefined,
        runAt: options.runAt ? new Date(options.runAt).toISOString() : undefined,
      });
      navigate(`/jobs/${result.id}${result.created ? '' : '?existing=1'}`);
    } catch (submitError) {
      if (submitError instanceof ApiError && submitError.details?.errors?.length) {
        setProblems(submitError.details.errors.map((item) => ({ path: asJson ? '' : item.path, message: `${asJson && item.path ? `${item.path} ` : ''}${item.message ?? 'is invalid'}` })));
        setError('The server refused the input; see the fields marked below.');
      } else if (submitError instanceof ApiError && submitError.details?.field === 'key') {
        setProblems([{ path: '#key', message: submitError.message }]);
      } else {
        setError((submitError as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  const keyProblems = problems.filter((problem) => problem.path === '#key');
  return (
    <form
      className="submit-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className={`field${keyProblems.length ? ' field-invalid' : ''}`}>
        <label htmlFor="submit-key">
          Key <span className="required"> *</span>
        </label>
        <input id="submit-key" type="text" value={key} maxLength={512} onChange={(event) => setKey(event.target.value)} placeholder="e.g. daily-2026-01-31" aria-invalid={keyProblems.length > 0 || undefined} />
        {keyProblems.length ? <ul className="field-problems">{keyProblems.map((problem, index) => <li key={index}>{problem.message}</li>)}</ul> : null}
      </div>

      <fieldset className="fieldset">
        <legend>
          Input{' '}
          {field.kind !== 'json' ? (
            <button type="button" className="button small button-quiet" onClick={switchMode}>
              {asJson ? 'Edit as form' : 'Edit as JSON'}
            </button>
          ) : null}
        </legend>
        {!type.inputSchema ? <p className="field-help">This job type has no input schema: any JSON value is accepted.</p> : null}
        {asJson ? (
          <div className={`field${problems.some((problem) => problem.path === '') ? ' field-invalid' : ''}`}>
            <label htmlFor="submit-json" className="visually-hidden">Input JSON</label>
            <textarea id="submit-json" className="code" rows={10} spellCheck={false} value={jsonText} onChange={(event) => setJsonText(event.target.value)} />
            <ul className="field-problems">
              {problems.filter((problem) => problem.path === '' || !problem.path.startsWith('#')).map((problem, index) => (
                <li key={index}>{problem.message}</li>
              ))}
            </ul>
          </div>
        ) : (
          <FieldEditor field={field} draft={draft} onChange={setDraft} path="" label="input" required problems={visibleProblems} />
        )}
      </fieldset>

      <details className="fieldset details">
        <summary>Dependencies and options</summary>
        <div className="field">
          <span className="label">Depends on</span>
          <p className="field-help">The job runs after these jobs succeeded (they must exist), and receives their outputs.</p>
          {dependencies.map((dependency, index) => (
            <div className="list-row" key={index}>
              <select aria-label={`Dependency ${index + 1} type`} value={dependency.type} onChange={(event) => setDependencies(dependencies.map((entry, position) => (position === index ? { ...entry, type: event.target.value } : entry)))}>
                {allTypes.map((entry) => (
                  <option key={entry.id} value={entry.fullName}>{entry.fullName}</option>
                ))}
              </select>
              <input aria-label={`Dependency ${index + 1} key`} type="text" placeholder="key" value={dependency.key} onChange={(event) => setDependencies(dependencies.map((entry, position) => (position === index ? { ...entry, key: event.target.value } : entry)))} />
              <button type="button" className="button small button-quiet" onClick={() => setDependencies(dependencies.filter((_, position) => position !== index))}>Remove</button>
            </div>
          ))}
          <button type="button" className="button small" onClick={() => setDependencies([...dependencies, { type: allTypes[0]?.fullName ?? '', key: '' }])}>Add dependency</button>
        </div>
        <div className="form-row">
          <label>
            Max attempts
            <input type="number" min={1} max={1000} value={options.maxAttempts} placeholder="25" onChange={(event) => setOptions({ ...options, maxAttempts: event.target.value })} />
          </label>
          <label>
            Priority
            <input type="number" value={options.priority} placeholder="0" onChange={(event) => setOptions({ ...options, priority: event.target.value })} />
          </label>
          <label>
            Run at
            <input type="datetime-local" value={options.runAt} onChange={(event) => setOptions({ ...options, runAt: event.target.value })} />
          </label>
        </div>
      </details>

      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>{busy ? 'Submitting…' : 'Submit job'}</button>
      </div>
    </form>
  );
}
