// Generates a VAPID key pair (P-256) for web push and prints the lines that install it.
//   npm run vapid              print `wrangler secret put` commands for production
//   node scripts/vapid.mjs --dev-vars   (used by npm run setup:dev) print KEY=value lines
import { generateKeyPairSync } from "node:crypto";

export function vapidKeys() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" });
  const pub = publicKey.export({ format: "jwk" });
  // The public key in the form browsers want for applicationServerKey: 0x04 || x || y, base64url.
  const raw = Buffer.concat([Buffer.from([4]), Buffer.from(pub.x, "base64url"), Buffer.from(pub.y, "base64url")]);
  return { publicKey: raw.toString("base64url"), privateKey: jwk.d };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { publicKey, privateKey } = vapidKeys();
  if (process.argv.includes("--dev-vars")) {
    console.log(`VAPID_PUBLIC_KEY=${publicKey}\nVAPID_PRIVATE_KEY=${privateKey}`);
  } else {
    console.log("# Web push keys for Hearth. Run these once per deployment (keep the private key secret):");
    console.log(`echo '${publicKey}' | npx wrangler secret put VAPID_PUBLIC_KEY`);
    console.log(`echo '${privateKey}' | npx wrangler secret put VAPID_PRIVATE_KEY`);
    console.log("echo 'mailto:you@example.com' | npx wrangler secret put VAPID_SUBJECT   # a contact for push services");
  }
}
