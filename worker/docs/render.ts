/** Renders an OpenAPI document as one self-contained HTML page (no CDN, no script). */

const esc = (s: unknown) =>
  String(s ?? "").replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

type Json = Record<string, unknown>;

function schemaText(schema: unknown, depth = 0): string {
  if (!schema || typeof schema !== "object" || depth > 6) return "";
  const s = schema as Json;
  if (typeof s.$ref === "string") return s.$ref.split("/").pop()!;
  if (s.type === "array") return `${schemaText(s.items, depth + 1)}[]`;
  if (s.type === "object" && s.properties) {
    const req = new Set((s.required as string[] | undefined) ?? []);
    const fields = Object.entries(s.properties as Json).map(
      ([k, v]) => `${"  ".repeat(depth + 1)}${k}${req.has(k) ? "" : "?"}: ${schemaText(v, depth + 1)}`,
    );
    return `{\n${fields.join("\n")}\n${"  ".repeat(depth)}}`;
  }
  if (Array.isArray(s.enum)) return s.enum.map((e) => JSON.stringify(e)).join(" | ");
  if (Array.isArray(s.anyOf)) return s.anyOf.map((x) => schemaText(x, depth)).join(" | ");
  return String(s.type ?? "any");
}

export function renderDocs(doc: Json): string {
  const info = doc.info as Json;
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Json;
  const ops: string[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = ((op.parameters as Json[] | undefined) ?? [])
        .map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", required" : ""}) ${esc((p.schema as Json | undefined)?.type)} ${esc(p.description)}</li>`)
        .join("");
      const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as Json | undefined;
      const responses = Object.entries((op.responses as Record<string, Json>) ?? {})
        .map(([code, r]) => {
          const schema = ((r.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema;
          return `<li><b>${esc(code)}</b> ${esc(r.description)}${schema ? ` <code>${esc(schemaText(schema))}</code>` : ""}</li>`;
        })
        .join("");
      ops.push(`<section id="${esc(method + path)}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code>${op.security ? ' <span class="lock">bearer</span>' : ""}</h3>
<p>${esc(op.summary)}</p>${op.description ? `<p>${esc(op.description)}</p>` : ""}
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ""}
${body ? `<h4>Body</h4><pre>${esc(schemaText(body.schema))}</pre>` : ""}
<h4>Responses</h4><ul>${responses}</ul></section>`);
    }
  }
  const models = Object.entries(schemas)
    .map(([name, s]) => `<h3 id="model-${esc(name)}">${esc(name)}</h3><pre>${esc(schemaText(s))}</pre>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
section{border-top:1px solid #ddd;padding:.5rem 0}h3{margin:.5rem 0}code,pre{font:13px ui-monospace,monospace}
pre{background:#f5f5f7;padding:.75rem;overflow:auto;border-radius:6px}.m{display:inline-block;min-width:4.5rem;font-size:12px;padding:2px 6px;border-radius:4px;color:#fff;text-align:center}
.get{background:#1a7f37}.post{background:#0969da}.delete{background:#cf222e}.put,.patch{background:#9a6700}.lock{font-size:12px;color:#666}
</style></head><body><h1>${esc(info.title)} <small>${esc(info.version)}</small></h1><p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Endpoints</h2>${ops.join("\n")}<h2>Models</h2>${models}</body></html>`;
}
