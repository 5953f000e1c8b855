/**
 * Brings the profiles of kernels whose store this server cannot read (another
 * host or container, Enterprise Gateway, another JUPYTERLAB_VMPROF_STORE) into
 * the server's store: for each finished profile output of a notebook's kernel
 * that the server does not know (GET profiles/<id> → 404), ask the kernel for
 * its files over a comm (target `jupyterlab-vmprof-transfer`, the kernel's
 * kernel/transfer.py) and upload them under the same id
 * (PUT profiles/<id>/transfer). Then the output, the browser, exports and
 * compare work as for a local kernel. With a shared store it costs one small
 * request per profile.
 */
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import type { Widget } from '@lumino/widgets';

import { APIError, requestAPI } from '../handler';
import { IProfileOutput, PROFILE_MIME_TYPE } from '../tokens';
import { profileArrived } from '../views/arrivals';

export const TRANSFER_TARGET = 'jupyterlab-vmprof-transfer';
const PROFILE_ID = /^[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$/;
/** A large profile takes a while to read, compress and send. */
const ANSWER_TIMEOUT_MS = 120_000;

interface ITransferAnswer {
  id: string;
  meta?: Record<string, unknown>;
  files?: Record<string, string>;
  error?: string;
}

/** Ask the kernel for one profile's files: the one message its comm answers. */
export function fetchFromKernel(kernel: Kernel.IKernelConnection, id: string): Promise<ITransferAnswer> {
  return new Promise((resolve, reject) => {
    const comm = kernel.createComm(TRANSFER_TARGET);
    const timer = setTimeout(() => {
      reject(new Error('the kernel did not answer'));
      comm.close();
    }, ANSWER_TIMEOUT_MS);
    comm.onMsg = msg => {
      clearTimeout(timer);
      resolve(msg.content.data as unknown as ITransferAnswer);
    };
    comm.onClose = () => {
      clearTimeout(timer);
      reject(new Error('the kernel closed the transfer without an answer'));
    };
    comm.open({ id });
  });
}

/** Whether the server's store has the profile (false only on a clear 404). */
async function serverHas(id: string): Promise<boolean> {
  try {
    await requestAPI(`profiles/${encodeURIComponent(id)}`);
    return true;
  } catch (error) {
    return !(error instanceof APIError && error.status === 404);
  }
}

export async function bringToServer(kernel: Kernel.IKernelConnection, id: string): Promise<boolean> {
  if (await serverHas(id)) {
    return false;
  }
  const answer = await fetchFromKernel(kernel, id);
  if (answer.error || !answer.files) {
    throw new Error(answer.error ?? 'the kernel sent no files');
  }
  await requestAPI(`profiles/${encodeURIComponent(id)}/transfer`, {
    method: 'PUT',
    body: JSON.stringify({ meta: answer.meta ?? {}, files: answer.files })
  });
  return true;
}

/** A document widget extension: one watcher per notebook, on its kernel's messages. */
export class RemoteProfileFetcher implements DocumentRegistry.WidgetExtension {
  createNew(_widget: Widget, context: DocumentRegistry.Context): IDisposable {
    const seen = new Set<string>();
    const onMessage = (_: unknown, msg: KernelMessage.IMessage) => {
      const type = msg.header.msg_type;
      if (type !== 'display_data' && type !== 'update_display_data') {
        return;
      }
      const data = (msg.content as KernelMessage.IDisplayDataMsg['content']).data;
      const output = data?.[PROFILE_MIME_TYPE] as unknown as IProfileOutput | undefined;
      const kernel = context.sessionContext.session?.kernel;
      // The final bundle (samples counted): the kernel has finished writing the profile's files.
      if (!output || !kernel || output.samples === null || !PROFILE_ID.test(output.id) || seen.has(output.id)) {
        return;
      }
      seen.add(output.id);
      bringToServer(kernel, output.id)
        .then(brought => brought && profileArrived(output.id))
        .catch(error => console.warn(`jupyterlab-vmprof: profile ${output.id} not brought to the server:`, error));
    };
    context.sessionContext.iopubMessage.connect(onMessage);
    return new DisposableDelegate(() => {
      context.sessionContext.iopubMessage.disconnect(onMessage);
    });
  }
}
