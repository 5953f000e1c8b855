/**
 * "Profile <id> is now in this server's store": said by whoever brought it
 * there (the remote-kernel fetcher, src/browser/remote-profiles.ts), heard by
 * the outputs that drew it from their saved copy or could not draw it, which
 * then load the full profile. Module-level: outputs and the fetcher do not
 * know each other.
 */
type Listener = (id: string) => void;

const listeners = new Set<Listener>();

export function onProfileArrived(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function profileArrived(id: string): void {
  for (const listener of Array.from(listeners)) {
    listener(id);
  }
}
