import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A confirmation in a modal <dialog> (focus kept inside, Escape cancels), used before every
 * change an operator makes: one job or many. `useConfirm` returns the dialog to render and an
 * `ask` that resolves true when the operator confirms.
 */

export interface ConfirmOptions {
  title: string;
  body?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
}

export function useConfirm(): { dialog: ReactNode; ask: (options: ConfirmOptions) => Promise<boolean> } {
  const [pending, setPending] = useState<{ options: ConfirmOptions; resolve: (confirmed: boolean) => void } | undefined>();
  const ask = useCallback((options: ConfirmOptions) => new Promise<boolean>((resolve) => setPending({ options, resolve })), []);
  const close = (confirmed: boolean) => {
    pending?.resolve(confirmed);
    setPending(undefined);
  };
  const dialog = pending ? <ConfirmDialog options={pending.options} onClose={close} /> : null;
  return { dialog, ask };
}

function ConfirmDialog({ options, onClose }: { options: ConfirmOptions; onClose: (confirmed: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="confirm-dialog" aria-labelledby="confirm-title" onCancel={(event) => { event.preventDefault(); onClose(false); }}>
      <h2 id="confirm-title">{options.title}</h2>
      {options.body ? <div className="confirm-body">{options.body}</div> : null}
      <div className="confirm-actions">
        <button type="button" className="button" onClick={() => onClose(false)} autoFocus>Keep as is</button>
        <button type="button" className={`button ${options.danger ? 'button-danger-solid' : 'button-primary'}`} onClick={() => onClose(true)}>{options.confirmLabel}</button>
      </div>
    </dialog>
  );
}
