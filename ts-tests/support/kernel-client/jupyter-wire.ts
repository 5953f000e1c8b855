/**
 * The Jupyter messaging wire format (protocol 5.3) as plain functions:
 * building, signing, encoding and decoding the frames that travel on the
 * kernel's ZeroMQ sockets. No sockets here, so it can be tested on its own.
 *
 * A message on the wire is
 *   [routing ids..., "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers...]
 * where the signature is the hex HMAC of the four JSON frames, in that order,
 * keyed with the connection file's key (an empty key means "no signing").
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { userInfo } from 'node:os';

/** Any value JSON can hold: what message content is made of. */
export type JSONValue = string | number | boolean | null | JSONValue[] | IJSONObject;

/** A JSON object. */
export interface IJSONObject {
  [key: string]: JSONValue;
}

/** The header every message carries. */
export interface IMessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded (or to-be-encoded) Jupyter message. */
export interface IJupyterMessage {
  header: IMessageHeader;
  /** The header of the request this message answers; empty for requests. */
  parent_header: IMessageHeader | Record<string, never>;
  metadata: IJSONObject;
  content: IJSONObject;
  buffers: Buffer[];
}

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = '5.3';

const DELIMITER = '<IDS|MSG>';

/**
 * Signs and checks messages for one connection. The key is kept here, not in
 * the callers, so that nothing else needs to handle it.
 */
export class MessageSigner {
  private readonly key: Buffer;

  constructor(key: string, scheme = 'hmac-sha256') {
    if (scheme !== 'hmac-sha256') {
      // The only scheme Jupyter kernels use; refusing others beats a silent mismatch.
      throw new Error(`unsupported signature scheme "${scheme}" (only hmac-sha256)`);
    }
    this.key = Buffer.from(key, 'utf8');
  }

  /** Hex signature of the four JSON frames; "" when the connection is unsigned. */
  sign(frames: Buffer[]): string {
    if (this.key.length === 0) {
      return '';
    }
    const hmac = createHmac('sha256', this.key);
    for (const frame of frames) {
      hmac.update(frame);
    }
    return hmac.digest('hex');
  }

  /** Whether `signature` is the right one for `frames` (constant-time compare). */
  verify(signature: string, frames: Buffer[]): boolean {
    const expected = Buffer.from(this.sign(frames), 'utf8');
    const received = Buffer.from(signature, 'utf8');
    return expected.length === received.length && timingSafeEqual(expected, received);
  }
}

/** A fresh request message of `msgType` for this session. */
export function createMessage(
  msgType: string,
  content: IJSONObject,
  session: string,
  metadata: IJSONObject = {}
): IJupyterMessage {
  return {
    header: {
      msg_id: randomUUID(),
      msg_type: msgType,
      session,
      username: currentUserName(),
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION
    },
    parent_header: {},
    metadata,
    content,
    buffers: []
  };
}

/** The frames to send on a DEALER socket (no routing ids: the kernel's ROUTER adds ours). */
export function encodeMessage(message: IJupyterMessage, signer: MessageSigner): Buffer[] {
  const jsonFrames = [
    message.header,
    message.parent_header,
    message.metadata,
    message.content
  ].map(part => Buffer.from(JSON.stringify(part), 'utf8'));
  return [
    Buffer.from(DELIMITER, 'utf8'),
    Buffer.from(signer.sign(jsonFrames), 'utf8'),
    ...jsonFrames,
    ...message.buffers
  ];
}

/** Why a received multipart message was not accepted. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/**
 * Decodes received frames into a message, checking the signature first so
 * that nothing forged is ever parsed. Throws WireError for anything invalid.
 */
export function decodeMessage(frames: Buffer[], signer: MessageSigner): IJupyterMessage {
  const delimiterAt = frames.findIndex(frame => frame.toString('utf8') === DELIMITER);
  if (delimiterAt < 0) {
    throw new WireError('no <IDS|MSG> delimiter');
  }
  const body = frames.slice(delimiterAt + 1);
  if (body.length < 5) {
    throw new WireError(`expected at least 5 frames after the delimiter, got ${body.length}`);
  }
  const [signature, ...rest] = body;
  const jsonFrames = rest.slice(0, 4);
  if (!signer.verify(signature.toString('utf8'), jsonFrames)) {
    throw new WireError('bad message signature');
  }
  const [header, parentHeader, metadata, content] = jsonFrames.map(parseJSONObject);
  if (!isMessageHeader(header)) {
    throw new WireError('message header lacks msg_id or msg_type');
  }
  return {
    header,
    parent_header: isMessageHeader(parentHeader) ? parentHeader : {},
    metadata,
    content,
    buffers: rest.slice(4)
  };
}

/** The msg_id of the request a message answers, if any. */
export function parentMessageId(message: IJupyterMessage): string | undefined {
  const parent = message.parent_header;
  return 'msg_id' in parent ? parent.msg_id : undefined;
}

function parseJSONObject(frame: Buffer): IJSONObject {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new WireError('a message frame is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WireError('a message frame is not a JSON object');
  }
  return value as IJSONObject;
}

function isMessageHeader(value: IJSONObject): value is IJSONObject & IMessageHeader {
  return typeof value.msg_id === 'string' && typeof value.msg_type === 'string';
}

function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    // Containers may run as a uid without a passwd entry.
    return 'vmprof';
  }
}
