import type { ReactNode } from 'react';
import { initialDraft, problemsAt, type Draft, type Field, type FieldProblem } from '../services/schema-form.js';

/**
 * Renders a form model (services/schema-form.ts). Every input is labelled; problems (from the
 * browser's checks or the server's validation) appear under the field they concern.
 */

interface FieldProps {
  field: Field;
  draft: Draft;
  onChange: (draft: Draft) => void;
  path: string;
  label: string;
  required: boolean;
  problems: readonly FieldProblem[];
}

const inputId = (path: string) => `field${path.replace(/[^A-Za-z0-9]+/g, '-') || '-root'}`;

function Problems({ problems, id }: { problems: readonly FieldProblem[]; id: string }) {
  if (problems.length === 0) return null;
  return (
    <ul className="field-problems" id={id}>
      {problems.map((problem, index) => (
        <li key={index}>{problem.message}</li>
      ))}
    </ul>
  );
}

function Wrapper({ field, label, required, path, problems, children }: { field: Field; label: string; required: boolean; path: string; problems: readonly FieldProblem[]; children: ReactNode }) {
  const own = problemsAt(problems, path);
  return (
    <div className={`field${own.length > 0 ? ' field-invalid' : ''}`}>
      <label htmlFor={inputId(path)}>
        {field.title ?? label}
        {required ? <span className="required" aria-label="required"> *</span> : <span className="muted"> (optional)</span>}
        <span className="field-kind">{describeKind(field)}</span>
      </label>
      {field.description ? <p className="field-help">{field.description}</p> : null}
      {children}
      <Problems problems={own} id={`${inputId(path)}-problems`} />
    </div>
  );
}

function describeKind(field: Field): string {
  switch (field.kind) {
    case 'array':
      return `list of ${field.items.kind === 'string' && field.items.enum ? 'choices' : field.items.kind}`;
    case 'json':
      return `JSON — ${field.reason}`;
    case 'string':
      return field.enum ? 'choice' : field.format ? `text (${field.format})` : 'text';
    case 'enum':
      return 'choice';
    default:
      return field.kind;
  }
}

export function FieldEditor(props: FieldProps) {
  const { field, draft, onChange, path, problems } = props;
  const id = inputId(path);
  const invalid = problemsAt(problems, path).length > 0;
  const aria = { id, 'aria-invalid': invalid || undefined, 'aria-describedby': invalid ? `${id}-problems` : undefined };
  switch (field.kind) {
    case 'object': {
      const record = (typeof draft === 'object' && draft !== null && !Array.isArray(draft) ? draft : {}) as Record<string, Draft>;
      const body = field.properties.map((property) => (
        <FieldEditor
          key={property.name}
          field={property.field}
          draft={record[property.name] ?? initialDraft(property.field)}
          onChange={(value) => onChange({ ...record, [property.name]: value })}
          path={`${path}/${property.name.replace(/~/g, '~0').replace(/\//g, '~1')}`}
          label={property.name}
          required={property.required}
          problems={problems}
        />
      ));
      if (path === '') return <div className="form-fields">{body}</div>;
      return (
        <fieldset className="fieldset">
          <legend>
            {field.title ?? props.label}
            {props.required ? <span className="required"> *</span> : <span className="muted"> (optional)</span>}
          </legend>
          {field.description ? <p className="field-help">{field.description}</p> : null}
          {body}
          <Problems problems={problemsAt(problems, path)} id={`${id}-problems`} />
        </fieldset>
      );
    }
    case 'boolean':
      return (
        <Wrapper {...props}>
          <input type="checkbox" {...aria} checked={draft === true} onChange={(event) => onChange(event.target.checked)} />
        </Wrapper>
      );
    case 'string':
      return (
        <Wrapper {...props}>
          {field.enum ? (
            <select {...aria} value={typeof draft === 'string' ? draft : ''} onChange={(event) => onChange(event.target.value)}>
              <option value="">{field.nullable ? '(null)' : '— choose —'}</option>
              {field.enum.map((value) => (
                <option key={String(value)} value={String(value)}>{String(value)}</option>
              ))}
            </select>
          ) : (field.maxLength ?? 0) > 200 || field.format === 'textarea' ? (
            <textarea {...aria} rows={4} value={typeof draft === 'string' ? draft : ''} onChange={(event) => onChange(event.target.value)} />
          ) : (
            <input type="text" {...aria} value={typeof draft === 'string' ? draft : ''} onChange={(event) => onChange(event.target.value)} placeholder={field.nullable ? 'empty = null' : undefined} />
          )}
        </Wrapper>
      );
    case 'number':
    case 'integer':
      return (
        <Wrapper {...props}>
          <input
            type="text"
            inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
            {...aria}
            value={typeof draft === 'string' ? draft : ''}
            onChange={(event) => onChange(event.target.value)}
            placeholder={[field.minimum !== undefined ? `≥ ${field.minimum}` : '', field.maximum !== undefined ? `≤ ${field.maximum}` : ''].filter(Boolean).join(', ') || undefined}
          />
        </Wrapper>
      );
    case 'enum':
      return (
        <Wrapper {...props}>
          <select {...aria} value={typeof draft === 'string' ? draft : ''} onChange={(event) => onChange(event.target.value)}>
            <option value="">{field.nullable ? '(null)' : '— choose —'}</option>
            {field.values.map((value) => (
              <option key={JSON.stringify(value)} value={JSON.stringify(value)}>{JSON.stringify(value)}</option>
            ))}
          </select>
        </Wrapper>
      );
    case 'const':
      return (
        <Wrapper {...props}>
          <input type="text" {...aria} value={JSON.stringify(field.value)} readOnly />
        </Wrapper>
      );
    case 'array': {
      const items = Array.isArray(draft) ? draft : [];
      return (
        <Wrapper {...props}>
          <div className="list-editor">
            {items.map((item, index) => (
              <div className="list-row" key={index}>
                <FieldEditor
                  field={field.items}
                  draft={item}
                  onChange={(value) => onChange(items.map((existing, position) => (position === index ? value : existing)))}
                  path={`${path}/${index}`}
                  label={`${props.label}[${index}]`}
                  required
                  problems={problems}
                />
                <button type="button" className="button small button-quiet" aria-label={`Remove item ${index + 1}`} onClick={() => onChange(items.filter((_, position) => position !== index))}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" className="button small" onClick={() => onChange([...items, initialDraft(field.items)])}>
              Add item
            </button>
          </div>
        </Wrapper>
      );
    }
    case 'json':
      return (
        <Wrapper {...props}>
          <textarea {...aria} className="code" rows={6} spellCheck={false} value={typeof draft === 'string' ? draft : ''} onChange={(event) => onChange(event.target.value)} placeholder="JSON" />
        </Wrapper>
      );
  }
}
