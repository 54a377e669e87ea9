/**
 * Generated chat text for the search scenario: no downloaded data, the same text for the same
 * seed. A seeded PRNG draws words from a vocabulary with a Zipf-like distribution (rank r has
 * weight 1 / (r + 2.7)^1.05: about 700 common English and work-chat words, then a long tail of
 * made-up names, jargon and typos from syllables, at a third of that weight), message lengths as chat has them
 * (many one- to three-word messages, a median near eight words, a tail past fifty), and the
 * rest of what a team's chat holds: topics that make words come together ("deploy" with
 * "release"), emoji (some with a skin tone), a few percent of lines in Cyrillic, Chinese,
 * Japanese or Arabic, links, @mentions, `code`, numbers, images with captions.
 *
 * Planted terms make the searched words' frequencies known: `plant` puts a word into
 * exactly the messages asked (the rare term), the common term is a vocabulary word at the
 * rank that lands it in about a tenth of the messages (`npm run bench -- --scenarios=search`
 * prints what each query matches).
 */

/** sfc32: a small, fast, seeded PRNG with a long period (floats in [0, 1)). */
export function prng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 + seed;
  let c = 0xb7e15162 ^ (seed * 31);
  let d = 1;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/**
 * Common words of a work chat, roughly most frequent first (function words, chat words, then
 * the words of the job). The rank of a word sets its weight.
 */
const CORE = `
i the you to a it and is that we this for on in of be it's can do have just so but not with what are
ok was if my yeah at no i'm will think we're get know like me yes now going all there up one need about
go your how out when then thanks see let's they don't should got would here good sure could some did
more also from been still by as or check right time looks work back an our maybe new make us i'll
today any lol which tomorrow much first after only really can't because them want take other great
has fix way try done before again something doesn't where why into over had nice he she people yet
think thing things anyone morning day week next last their way too look well since use same said didn't
thank hey hi hmm oh btw fyi pr issue branch test tests build merge review code change changes update
fine cool probably actually mean pretty bit help someone already agree sounds makes question team
around let everyone though few while sorry working call quick wait long even made might able isn't
put little better idea thought seems working hours ago later soon end start late early minutes give
run running local staging prod server error errors log logs bug bugs fixed broken works data file
files config version link doc docs page user users customer api endpoint client app feature flag
script job jobs ticket plan meeting sync notes slides demo standup lunch coffee weekend friday monday
tuesday wednesday thursday afternoon tonight yesterday month quarter week's everything nothing either
both each every sometimes usually never always away home office remote share screen send sent email
message chat thread channel post read write wrote comment comments approve approved lgtm nit ship
shipped done blocked blocker priority urgent asap eta status progress draft final ready pending
`;

/** Work words, less frequent than CORE (they follow it in rank). */
const WORK = `
dashboard database migration schema query index cache latency timeout retry queue worker cron
pipeline ci green red flaky rerun rollback hotfix patch tag changelog sprint backlog roadmap
estimate scope spec design mockup figma feedback copy wording layout mobile desktop browser
safari chrome firefox android ios login signup password session token auth permissions role admin
billing invoice pricing plan trial refund support incident outage postmortem alert pager oncall
metrics graph chart spike memory cpu disk network dns certificate proxy cluster node pod container
image docker kubernetes terraform bucket storage backup restore export import report analytics
event events tracking survey interview candidate offer onboarding offsite holiday vacation sick
birthday cake pizza tacos sushi dinner drinks team's roadmap okr goals kickoff retro planning
standups contract vendor legal security audit compliance privacy gdpr encryption keys secrets
vault rotation webhook integration slack github jira notion calendar invite agenda recording
`;

/** Words that come together: a topical message draws some of its words from one of these. */
const TOPICS: string[][] = [
  "deploy deployed deploying deployment deployments release released releases relnotes staging prod rollback hotfix version tag changelog pipeline canary freeze".split(" "),
  "bug bugs crash crashes repro stacktrace exception regression fixed fix patch flaky broken null timeout logs sentry".split(" "),
  "meeting meetings calendar invite agenda notes slides sync standup retro reschedule moved room zoom recording".split(" "),
  "lunch coffee pizza tacos sushi dinner drinks cake birthday weekend hungry order place tonight friday".split(" "),
  "design mockup figma layout colors font icon spacing feedback copy wording mobile screen modal button".split(" "),
  "database migration schema query index cache latency slow replica backup restore postgres vacuum locks".split(" "),
  "customer customers ticket support refund billing invoice pricing trial churn renewal contract call demo".split(" "),
  "candidate interview offer hiring onboarding laptop access account welcome intro referral".split(" "),
  "release related relevant reload relative reliable relay relax reluctant relocate".split(" "),
];

const EMOJI = ["👍", "😂", "🎉", "❤️", "🙏", "👀", "🔥", "✅", "😅", "🚀", "👋", "😄", "🤔", "💯", "😭", "🙌", "☕", "🍕", "👍🏽", "👋🏻", "👍🏿", "🤷‍♀️", "🇩🇪"];

const CYRILLIC = "привет как дела сегодня завтра релиз готов сервер упал посмотри пожалуйста спасибо встреча в два часа проблема база данных работает не работает исправил ошибку обновление команда проект задача код ревью хорошо понял отлично вечером обед".split(" ");
const CHINESE = "我们 明天 部署 新 版本 今天 会议 改到 下午 服务器 有 问题 谢谢 大家 辛苦 了 这个 功能 已经 上线 测试 通过 请 看 一下 文档 数据库 迁移 完成 客户 反馈".split(" ");
const JAPANESE = "明日 の 会議 は 三時 から です よろしく お願いします リリース 完了 しました サーバー が 落ちて います 確認 して ください ありがとう ございます テスト".split(" ");
const ARABIC = "مرحبا شكرا الاجتماع غدا الساعة الثالثة الخادم لا يعمل تم الإصلاح الإصدار الجديد جاهز من فضلك راجع المستند العميل المشروع".split(" ");

const CODE = ["`npm run build`", "`git rebase main`", "`kubectl get pods`", "`SELECT count(*) FROM users`", "`make test`", "`terraform plan`", "`docker compose up`", "`curl -I localhost:8787/health`"];
const HOSTS = ["github.com/acme/api/pull/", "github.com/acme/web/issues/", "docs.google.com/document/d/", "acme.atlassian.net/browse/OPS-", "grafana.acme.dev/d/", "www.figma.com/file/", "stackoverflow.com/questions/"];

const SYLLABLES = "ba be bi bo bu da de di do du fa fe fi fo ga ge go gu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo wa we wi ya yo za zo bra bri dra dre fla fle gra gro kra kri pla plo pra pro sta ste sto tra tri tro shi sha cho chi".split(" ");

/** The weight of the made-up words against Zipf's (real chat's long tail is real words, not these). */
const TAIL_WEIGHT = 0.3;

export interface Vocabulary {
  words: string[];
  /** Cumulative weights (Zipf-like), for sampling by rank. */
  cdf: Float64Array;
}

/**
 * CORE, then WORK, then `tail` made-up words from syllables (names, jargon, typos); the
 * words in `exclude` (and any word starting with one of them) left out, so that a planted
 * term is found exactly where it was planted.
 */
export function vocabulary(seed: number, tail: number, exclude: string[] = []): Vocabulary {
  const rand = prng(seed);
  const seen = new Set<string>();
  const words: string[] = [];
  const blocked = (w: string) => exclude.some((x) => w.startsWith(x));
  const add = (w: string) => {
    if (!w || seen.has(w) || blocked(w)) return;
    seen.add(w);
    words.push(w);
  };
  for (const w of CORE.split(/\s+/)) add(w);
  for (const w of WORK.split(/\s+/)) add(w);
  for (const topic of TOPICS) for (const w of topic) add(w);
  const core = words.length;
  while (words.length < core + tail) {
    const n = 2 + Math.floor(rand() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    if (rand() < 0.15) w += "s";
    add(w);
  }
  const cdf = new Float64Array(words.length);
  let sum = 0;
  // The made-up tail at a third of Zipf's weight: about a sixth of the words drawn are from it.
  for (let r = 0; r < words.length; r++) cdf[r] = sum += (r < core ? 1 : TAIL_WEIGHT) / Math.pow(r + 2.7, 1.05);
  for (let r = 0; r < cdf.length; r++) cdf[r]! /= sum;
  return { words, cdf };
}

function sample(v: Vocabulary, x: number): string {
  let lo = 0;
  let hi = v.cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v.cdf[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return v.words[lo]!;
}

/** A generated message: its text, and (1 % of them) an image it carries. */
export interface ChatText {
  kind: "text" | "image";
  body: string;
  /** The attachment's JSON as the room stores it (images only). */
  attachment: string | null;
  /** Whether the body is one of the non-Latin lines. */
  nonLatin: boolean;
}

export interface TextOptions {
  /** Who may be @mentioned (usernames; the room's members). */
  members: readonly string[];
  /** Whether the author owns the room (only then may an `@room` count; the caller decides). */
  mayMentionRoom?: boolean;
  /** Words to put into this message (the planted terms), each once. */
  plant?: readonly string[];
}

/** Draws chat messages from `vocab` with `rand`. */
export class ChatTextGenerator {
  private readonly vocab: Vocabulary;
  private readonly rand: () => number;

  constructor(vocab: Vocabulary, rand: () => number) {
    this.vocab = vocab;
    this.rand = rand;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]!;
  }

  /** How many words a message has: chat is mostly short, with a long tail. */
  private length(): number {
    const r = this.rand();
    if (r < 0.12) return 1;
    if (r < 0.22) return 2 + Math.floor(this.rand() * 2);
    // Log-normal around 8 words (Box-Muller).
    const g = Math.sqrt(-2 * Math.log(1 - this.rand())) * Math.cos(2 * Math.PI * this.rand());
    return Math.max(3, Math.min(90, Math.round(Math.exp(Math.log(8) + 0.65 * g))));
  }

  private nonLatinLine(): string {
    const r = this.rand();
    const n = 3 + Math.floor(this.rand() * 8);
    const words = (list: string[]) => Array.from({ length: n }, () => this.pick(list));
    if (r < 0.4) {
      const line = words(CYRILLIC).join(" ");
      return line[0]!.toUpperCase() + line.slice(1) + this.pick(["", ".", "!", "?"]);
    }
    if (r < 0.67) return words(CHINESE).join("") + this.pick(["", "。", "！", "？"]);
    if (r < 0.84) return words(JAPANESE).join("") + this.pick(["", "。", "！"]);
    return words(ARABIC).join(" ") + this.pick(["", ".", "؟"]);
  }

  private link(): string {
    const host = this.pick(HOSTS);
    const id = host.endsWith("/") && /pull|issues|OPS|questions/.test(host) ? String(100 + Math.floor(this.rand() * 9900)) : Math.floor(this.rand() * 2 ** 40).toString(36);
    return `https://${host}${id}`;
  }

  next(opts: TextOptions): ChatText {
    const rand = this.rand;
    const plant = opts.plant ?? [];
    // An image, with a caption half the time.
    if (rand() < 0.01) {
      const name = rand() < 0.5 ? `IMG_${1000 + Math.floor(rand() * 9000)}.jpg` : `Screenshot 2026-${String(1 + Math.floor(rand() * 12)).padStart(2, "0")}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")} at ${10 + Math.floor(rand() * 9)}.${String(Math.floor(rand() * 60)).padStart(2, "0")}.png`;
      const width = 400 + Math.floor(rand() * 2000);
      const attachment = JSON.stringify({ id: `up_${Math.floor(rand() * 2 ** 48).toString(36)}`, name, size: 20_000 + Math.floor(rand() * 3_000_000), type: name.endsWith(".png") ? "image/png" : "image/jpeg", width, height: Math.round(width * 0.66) });
      const caption = rand() < 0.5 ? "" : this.sentence(1 + Math.floor(rand() * 6), []);
      const body = plant.length ? `${caption} ${plant.join(" ")}`.trim() : caption;
      return { kind: "image", body, attachment, nonLatin: false };
    }
    // Emoji alone.
    if (rand() < 0.015 && !plant.length) return { kind: "text", body: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => this.pick(EMOJI)).join(""), attachment: null, nonLatin: false };
    // A line in another script.
    if (rand() < 0.03) {
      const line = this.nonLatinLine();
      return { kind: "text", body: plant.length ? `${line} ${plant.join(" ")}` : line, attachment: null, nonLatin: true };
    }
    let body = this.sentence(this.length(), plant);
    if (rand() < 0.05 && opts.members.length) body = `@${this.pick(opts.members)} ${body}`;
    if (opts.mayMentionRoom && rand() < 0.01) body = `@room ${body}`;
    if (rand() < 0.03) body += ` ${this.link()}`;
    if (rand() < 0.02) body += ` ${this.pick(CODE)}`;
    if (rand() < 0.08) body += ` ${this.pick(EMOJI)}${rand() < 0.3 ? this.pick(EMOJI) : ""}`;
    return { kind: "text", body, attachment: null, nonLatin: false };
  }

  /** `n` words (some from a topic, `plant` among them), cased and punctuated as chat is. */
  private sentence(n: number, plant: readonly string[]): string {
    const rand = this.rand;
    const topic = rand() < 0.35 ? this.pick(TOPICS) : null;
    const words: string[] = [];
    for (let i = 0; i < n; i++) {
      let w = topic && rand() < 0.3 ? this.pick(topic) : sample(this.vocab, rand());
      if (w === "i" || w.startsWith("i'")) w = `I${w.slice(1)}`;
      else if (rand() < 0.004) w = w.toUpperCase();
      words.push(w);
    }
    if (rand() < 0.03) words.splice(Math.floor(rand() * words.length), 0, rand() < 0.5 ? `#${100 + Math.floor(rand() * 9900)}` : `v${Math.floor(rand() * 4)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 10)}`);
    for (const p of plant) words.splice(Math.floor(rand() * (words.length + 1)), 0, p);
    // Commas, sentence breaks, a capital now and then.
    let out = "";
    let sinceBreak = 0;
    for (let i = 0; i < words.length; i++) {
      let w = words[i]!;
      if ((i === 0 || sinceBreak === 0) && rand() < 0.45) w = w[0]!.toUpperCase() + w.slice(1);
      out += (i ? " " : "") + w;
      sinceBreak++;
      if (i < words.length - 1 && sinceBreak >= 6 && rand() < 0.18) {
        out += this.pick([".", ".", "?", "!", " -"]);
        sinceBreak = 0;
      } else if (i < words.length - 1 && rand() < 0.05) out += ",";
    }
    const r = rand();
    return out + (r < 0.2 ? "." : r < 0.32 ? "?" : r < 0.4 ? "!" : r < 0.43 ? "..." : "");
  }
}

/** An endless source of message texts (for the traffic runs that want real words, not one pangram). */
export function chatLines(seed: number, members: readonly string[] = []): () => string {
  const gen = new ChatTextGenerator(vocabulary(seed, 25_000), prng(seed + 1));
  return () => gen.next({ members }).body || "ok";
}
