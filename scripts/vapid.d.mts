export function vapidKeys(): { publicKey: string; privateKey: string };
