/**
 * The pure parts of the kernel client: message signing and decoding, and
 * how iopub messages become notebook outputs.
 */
import { OutputCollector } from '../support/kernel-client/execute-outputs';
import {
  createMessage,
  decodeMessage,
  encodeMessage,
  IJSONObject,
  IJupyterMessage,
  MessageSigner
} from '../support/kernel-client/jupyter-wire';

const signer = new MessageSigner('secret-key');

describe('wire format', () => {
  it('decodes what it encodes, after routing ids', () => {
    const message = createMessage('execute_request', { code: 'x = 1' }, 'session-1');
    const frames = [Buffer.from('routing-id'), ...encodeMessage(message, signer)];
    const decoded = decodeMessage(frames, signer);
    expect(decoded.header).toEqual(message.header);
    expect(decoded.content).toEqual({ code: 'x = 1' });
    expect(decoded.header.version).toBe('5.3');
  });

  it('refuses a message whose content was changed after signing', () => {
    const frames = encodeMessage(createMessage('execute_request', { code: 'x = 1' }, 's'), signer);
    frames[5] = Buffer.from(JSON.stringify({ code: 'import os; os.remove("important")' }));
    expect(() => decodeMessage(frames, signer)).toThrow('bad message signature');
  });

  it('refuses a message signed with another key', () => {
    const frames = encodeMessage(createMessage('status', {}, 's'), new MessageSigner('other'));
    expect(() => decodeMessage(frames, signer)).toThrow('bad message signature');
  });

  it('sends an empty signature when the connection has no key', () => {
    const unsigned = new MessageSigner('');
    const frames = encodeMessage(createMessage('status', {}, 's'), unsigned);
    expect(frames[1].toString()).toBe('');
    expect(decodeMessage(frames, unsigned).header.msg_type).toBe('status');
  });

  it('refuses truncated messages and unknown signature schemes', () => {
    const frames = encodeMessage(createMessage('status', {}, 's'), signer);
    expect(() => decodeMessage(frames.slice(0, 4), signer)).toThrow('at least 5 frames');
    expect(() => new MessageSigner('k', 'hmac-md5')).toThrow('unsupported signature scheme');
  });
});

function iopub(msgType: string, content: IJSONObject): IJupyterMessage {
  return createMessage(msgType, content, 'kernel');
}

describe('outputs collected from iopub', () => {
  it('joins consecutive prints to one stream, like a saved notebook', () => {
    const collector = new OutputCollector();
    collector.handle(iopub('stream', { name: 'stdout', text: 'a\n' }));
    collector.handle(iopub('stream', { name: 'stdout', text: 'b\n' }));
    collector.handle(iopub('stream', { name: 'stderr', text: 'c\n' }));
    collector.handle(iopub('status', { execution_state: 'busy' }));
    expect(collector.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'a\nb\n' },
      { output_type: 'stream', name: 'stderr', text: 'c\n' }
    ]);
  });

  it('applies update_display_data to the display with the same id', () => {
    const collector = new OutputCollector();
    collector.handle(iopub('display_data', { data: { 'text/plain': '10%' }, metadata: {}, transient: { display_id: 'bar' } }));
    collector.handle(iopub('update_display_data', { data: { 'text/plain': '100%' }, metadata: {}, transient: { display_id: 'bar' } }));
    expect(collector.outputs).toEqual([
      { output_type: 'display_data', data: { 'text/plain': '100%' }, metadata: {} }
    ]);
  });

  it('clears outputs, at once or (wait=True) when the next one arrives', () => {
    const collector = new OutputCollector();
    collector.handle(iopub('stream', { name: 'stdout', text: 'old' }));
    collector.handle(iopub('clear_output', { wait: true }));
    expect(collector.outputs).toHaveLength(1);
    collector.handle(iopub('stream', { name: 'stdout', text: 'new' }));
    expect(collector.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'new' }]);
    collector.handle(iopub('clear_output', { wait: false }));
    expect(collector.outputs).toEqual([]);
  });
});
