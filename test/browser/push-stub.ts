/**
 * A PushManager for browser tests: Chromium here reaches no push service, so
 * pushManager.subscribe would never settle. An init script (context.addInitScript(pushStub,
 * token)) replaces it in every page with one that answers at once with a subscription that has
 * real P-256 keys, kept in localStorage ("test.push-subscription") so it outlives a reload like
 * a real one, and counts the calls in window.__push.
 */

/** What the init script records in every page (window.__push). */
export interface PushProbe {
  requestPermissionCalls: number;
  subscribeCalls: number;
  unsubscribeCalls: number;
  /** applicationServerKey of the last subscribe(), base64url. */
  lastKey: string | null;
}

/**
 * Runs in every page before its scripts: the session token, a PushManager that answers without
 * a push service (a subscription with a real P-256 key and auth secret, kept in localStorage so
 * it outlives a reload like a real one), and a count of Notification.requestPermission calls.
 */
export function pushStub(sessionToken: string) {
  localStorage.setItem("hearth.token", sessionToken);
  const probe = { requestPermissionCalls: 0, subscribeCalls: 0, unsubscribeCalls: 0, lastKey: null as string | null };
  (window as unknown as { __push: typeof probe }).__push = probe;

  const nativeRequest = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = ((callback?: NotificationPermissionCallback) => {
    probe.requestPermissionCalls += 1;
    return nativeRequest(callback);
  }) as typeof Notification.requestPermission;

  const STORE = "test.push-subscription";
  const b64url = (bytes: ArrayBuffer | Uint8Array) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes as ArrayBuffer)))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  const unb64url = (text: string) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  };
  interface Stored {
    endpoint: string;
    p256dh: string;
    auth: string;
    serverKey: string;
  }
  const toSubscription = (s: Stored) => ({
    endpoint: s.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: unb64url(s.serverKey).buffer },
    getKey: (name: string) => (name === "p256dh" ? unb64url(s.p256dh).buffer : name === "auth" ? unb64url(s.auth).buffer : null),
    toJSON: () => ({ endpoint: s.endpoint, expirationTime: null, keys: { p256dh: s.p256dh, auth: s.auth } }),
    unsubscribe: async () => {
      probe.unsubscribeCalls += 1;
      const current = localStorage.getItem(STORE);
      if (!current || (JSON.parse(current) as Stored).endpoint !== s.endpoint) return false;
      localStorage.removeItem(STORE);
      return true;
    },
  });
  const stored = (): Stored | null => {
    const text = localStorage.getItem(STORE);
    return text ? (JSON.parse(text) as Stored) : null;
  };

  PushManager.prototype.getSubscription = async function () {
    const s = stored();
    return (s ? toSubscription(s) : null) as unknown as PushSubscription;
  };
  PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
    probe.subscribeCalls += 1;
    if (Notification.permission !== "granted") throw new DOMException("Registration failed - permission denied", "NotAllowedError");
    const key = options?.applicationServerKey;
    if (!key || typeof key === "string") throw new DOMException("applicationServerKey must be bytes", "InvalidAccessError");
    const serverKey = b64url(ArrayBuffer.isView(key) ? new Uint8Array(key.buffer, key.byteOffset, key.byteLength) : key);
    probe.lastKey = serverKey;
    const existing = stored();
    if (existing && existing.serverKey === serverKey) return toSubscription(existing) as unknown as PushSubscription;
    if (existing) throw new DOMException("A subscription with a different applicationServerKey already exists", "InvalidStateError");
    // What a real push service hands out: the browser's own P-256 key (65 bytes, uncompressed)
    // and a 16-byte authentication secret.
    const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const raw = await crypto.subtle.exportKey("raw", pair.publicKey);
    const s: Stored = {
      endpoint: `https://push.test/send/${crypto.randomUUID()}`,
      p256dh: b64url(raw),
      auth: b64url(crypto.getRandomValues(new Uint8Array(16))),
      serverKey,
    };
    localStorage.setItem(STORE, JSON.stringify(s));
    return toSubscription(s) as unknown as PushSubscription;
  };
}

