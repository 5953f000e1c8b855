/**
 * Loads the `jupyterlab_vmprof` IPython extension in every Python notebook
 * kernel, when the kernel starts and after each restart, so `%%vmprof`
 * works without a `%load_ext` cell.
 */
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';

/**
 * Silent and wrapped in try/except: the kernel's environment may not have
 * the package, and that must not show anything to the user. No names are
 * bound in the user's namespace, and an extension already loaded is left
 * alone (load_ext would print "already loaded").
 */
export const LOAD_EXTENSION_CODE = `try:
    (lambda ip: 'jupyterlab_vmprof' in ip.extension_manager.loaded
     or ip.run_line_magic('load_ext', 'jupyterlab_vmprof'))(get_ipython())
except Exception:
    pass
`;

/** Whether a kernel runs Python, by its kernel spec's language. */
async function isPython(kernel: Kernel.IKernelConnection): Promise<boolean> {
  try {
    const spec = await kernel.spec;
    return (spec?.language ?? '').toLowerCase() === 'python';
  } catch {
    return false;
  }
}

/** Send the load code; queued by the connection until the kernel is up. */
function loadInto(kernel: Kernel.IKernelConnection): void {
  if (kernel.isDisposed || kernel.status === 'dead') {
    return;
  }
  try {
    const future = kernel.requestExecute(
      {
        code: LOAD_EXTENSION_CODE,
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false
      },
      true
    );
    // A failed or cancelled request (kernel died, restarted) is not our
    // user's business.
    future.done.catch(() => undefined);
  } catch {
    // The connection refused the message (disposed): nothing to load into.
  }
}

/** Watch one notebook's session and load the extension into its kernels. */
export function watchSession(sessionContext: ISessionContext): IDisposable {
  const python = new WeakMap<Kernel.IKernelConnection, boolean>();

  const onKernel = async (kernel: Kernel.IKernelConnection | null | undefined) => {
    if (!kernel) {
      return;
    }
    if (!python.has(kernel)) {
      python.set(kernel, await isPython(kernel));
    }
    if (python.get(kernel)) {
      loadInto(kernel);
    }
  };

  const onKernelChanged = (
    _: ISessionContext,
    change: { newValue: Kernel.IKernelConnection | null }
  ) => void onKernel(change.newValue);

  const onStatusChanged = (_: ISessionContext, status: Kernel.Status) => {
    if (status === 'restarting' || status === 'autorestarting') {
      // The connection clears its message queue right after announcing
      // the restart; queue our request after that (a microtask later), so
      // it is sent first to the new kernel, before "restart and run all"
      // sends the cells.
      const kernel = sessionContext.session?.kernel;
      void Promise.resolve().then(() => onKernel(kernel));
    }
  };

  sessionContext.kernelChanged.connect(onKernelChanged);
  sessionContext.statusChanged.connect(onStatusChanged);
  void onKernel(sessionContext.session?.kernel);

  return new DisposableDelegate(() => {
    sessionContext.kernelChanged.disconnect(onKernelChanged);
    sessionContext.statusChanged.disconnect(onStatusChanged);
  });
}

/** A document widget extension: one watcher per notebook panel. */
export class KernelAutoloader
  implements DocumentRegistry.IWidgetExtension<any, DocumentRegistry.IModel>
{
  createNew(
    _widget: any,
    context: DocumentRegistry.IContext<DocumentRegistry.IModel>
  ): IDisposable {
    return watchSession(context.sessionContext);
  }
}
