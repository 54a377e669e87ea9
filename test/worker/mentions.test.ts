// Mentions (issue #18 item 4): the shared parser (worker/contract/mentions.ts) that the server
// counts and pushes with and the client draws chips with, and the client's pure pieces: the
// composer's suggestions (client/src/mentions/suggest.ts) and the chip splitting
// (client/src/mentions/chips.ts). Runs in workerd: the modules are plain TypeScript.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chipPieces } from "../../client/src/mentions/chips";
import { insertMention, MAX_SUGGESTIONS, mentionAt, suggest } from "../../client/src/mentions/suggest";
import { mentionedNames, mentions, mentionSpans, RESERVED_USERNAMES, ROOM_MENTION } from "../../worker/contract/mentions";

/** The names `body` mentions, in order, as the parser lower-cases them. */
const names = (body: string) => mentionSpans(body).map((s) => s.name);

describe("the mention parser", () => {
  it("finds @name at the start, after spaces and after punctuation", () => {
    expect(names("@alice hi")).toEqual(["alice"]);
    expect(names("hi @alice")).toEqual(["alice"]);
    expect(names("(@alice) [@bob] \"@carol\" >@dan")).toEqual(["alice", "bob", "carol", "dan"]);
    expect(names("line one\n@alice")).toEqual(["alice"]);
  });

  it("ends a name at punctuation that cannot be in a username", () => {
    expect(names("thanks @alice, @bob. @carol! @dan? @eve's @fay: @gus)")).toEqual([
      "alice", "bob", "carol", "dan", "eve", "fay", "gus",
    ]);
    expect(names("@alice/@bob")).toEqual(["alice", "bob"]);
  });

  it("is not fooled by e-mail addresses or doubled @", () => {
    expect(names("write to alice@example.com")).toEqual([]);
    expect(names("bob_@alice and 9@alice")).toEqual([]);
    expect(names("@@alice")).toEqual([]);
    expect(names("alice@alice.com @alice")).toEqual(["alice"]);
  });

  it("ignores case and reports names lower-cased", () => {
    expect(names("@Alice @ALICE @aLiCe")).toEqual(["alice", "alice", "alice"]);
    expect(mentionedNames("@Alice @ALICE and @bob")).toEqual(new Set(["alice", "bob"]));
    expect(mentions({ body: "hey @Alice" }, "ALICE")).toBe(true);
  });

  it("takes hyphens, underscores and digits as part of the name", () => {
    expect(names("@mary-jane @mary_jane @r2d2 @a_b-c")).toEqual(["mary-jane", "mary_jane", "r2d2", "a_b-c"]);
    // A hyphen after a name belongs to it (a username may end in one), so this is not @alice.
    expect(names("@alice- ok")).toEqual(["alice-"]);
    expect(mentions({ body: "@alice-bob" }, "alice")).toBe(false);
    expect(mentions({ body: "@alice_bob" }, "alice")).toBe(false);
  });

  it("takes only names of 3 to 32 characters", () => {
    expect(names("@al @ali")).toEqual(["ali"]);
    const longest = "a".repeat(32);
    expect(names(`@${longest}`)).toEqual([longest]);
    expect(names(`@${longest}b`)).toEqual([]); // not the first 32 of a longer word
  });

  it("@room mentions everyone only when the server marked the message", () => {
    expect(ROOM_MENTION).toBe("room");
    expect(RESERVED_USERNAMES).toContain("room");
    expect(names("@room look")).toEqual(["room"]);
    expect(mentions({ body: "@room look" }, "alice")).toBe(false);
    expect(mentions({ body: "@room look", mentionsRoom: true }, "alice")).toBe(true);
    expect(mentions({ body: "nothing here", mentionsRoom: true }, "alice")).toBe(true);
    expect(mentions({ body: "@rooms" }, "room")).toBe(false);
  });

  it("gives UTF-16 offsets of each span, @ included, also after text outside the BMP", () => {
    const body = "🎉𝒳 ok @Alice and é @bob";
    const spans = mentionSpans(body);
    expect(spans).toEqual([
      { start: 8, end: 14, name: "alice" },
      { start: 21, end: 25, name: "bob" },
    ]);
    expect(spans.map((s) => body.slice(s.start, s.end))).toEqual(["@Alice", "@bob"]);
  });

  it("any text: spans are in order, apart, and each is `@` and its name as written", () => {
    const piece = fc.constantFrom("@", "@alice", "@Bob-1", "a", " ", ".", "-", "_", "é", "🎉", "x@y", "\n", "@room");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }).map((parts) => parts.join("")), (body) => {
        let last = 0;
        for (const span of mentionSpans(body)) {
          expect(span.start).toBeGreaterThanOrEqual(last);
          expect(body.slice(span.start, span.end).toLowerCase()).toBe(`@${span.name}`);
          expect(span.name).toMatch(/^[a-z0-9_-]{3,32}$/);
          last = span.end;
        }
      }),
    );
  });
});

describe("the composer's suggestions: what is being typed", () => {
  it("finds the @ before the caret and what follows it", () => {
    expect(mentionAt("@", 1)).toEqual({ start: 0, end: 1, query: "" });
    expect(mentionAt("hi @al", 6)).toEqual({ start: 3, end: 6, query: "al" });
    expect(mentionAt("(@Al", 4)).toEqual({ start: 1, end: 4, query: "Al" });
    expect(mentionAt("@mary-jane_", 11)).toEqual({ start: 0, end: 11, query: "mary-jane_" });
    // Display names are not ASCII: letters of any script, also outside the BMP.
    expect(mentionAt("hi @Zoë", 7)?.query).toBe("Zoë");
    expect(mentionAt("hi @Иван", 8)?.query).toBe("Иван");
    expect(mentionAt("@𝒳y", 4)?.query).toBe("𝒳y");
  });

  it("only up to the caret: a caret inside a name completes what is before it", () => {
    expect(mentionAt("@alice", 3)).toEqual({ start: 0, end: 3, query: "al" });
  });

  it("nothing once a space or punctuation ends the name, or when the @ is inside a word", () => {
    expect(mentionAt("@al ", 4)).toBeNull();
    expect(mentionAt("@al.", 4)).toBeNull();
    expect(mentionAt("hello", 5)).toBeNull();
    expect(mentionAt("mail bob@ex", 11)).toBeNull();
    expect(mentionAt("@@al", 4)).toBeNull();
    expect(mentionAt("", 0)).toBeNull();
  });
});

describe("the composer's suggestions: who, in what order", () => {
  const members = [
    { username: "bob" },
    { username: "alice", displayName: "Alice Liddell" },
    { username: "alfred" },
    { username: "zed", displayName: "Zoë Ålander" },
    { username: "carol", displayName: "Ali Carol" },
    { username: "dan", displayName: "Daniel al-Masri" },
    { username: "ali" },
  ];
  const who = (query: string, owner = false, me = "bob") => suggest(members, query, { me, owner }).map((s) => s.username);

  it("the username itself first, then usernames starting with it, display names starting with it, then a word of one", () => {
    expect(who("ali")).toEqual(["ali", "alice", "carol"]);
    expect(who("al")).toEqual(["alfred", "ali", "alice", "carol", "dan", "zed"]);
  });

  it("ignores case and accents, and matches words of display names", () => {
    expect(who("ALI")).toEqual(["ali", "alice", "carol"]);
    expect(who("zoe")).toEqual(["zed"]);
    expect(who("lid")).toEqual(["alice"]);
    expect(who("masri")).toEqual(["dan"]);
    expect(who("ålan")).toEqual(["zed"]);
  });

  it("everyone for a bare @, alphabetical, never myself", () => {
    expect(who("")).toEqual(["alfred", "ali", "alice", "carol", "dan", "zed"]);
    expect(who("", false, "alice")).not.toContain("alice");
    expect(who("bo")).toEqual([]);
  });

  it("carries the display name for the list", () => {
    expect(suggest(members, "alic", { me: "bob", owner: false })).toEqual([{ username: "alice", displayName: "Alice Liddell" }]);
  });

  it("offers @room to the room's owner only, after the people who match as well", () => {
    expect(who("ro")).toEqual([]);
    expect(suggest(members, "ro", { me: "bob", owner: true })).toEqual([{ username: "room", everyone: true }]);
    expect(who("", true).at(-1)).toBe("room");
    // Found by the words people bring from elsewhere too; what is inserted is @room.
    expect(who("every", true)).toEqual(["room"]);
    expect(who("here", true)).toEqual(["room"]);
    expect(who("al", true)).not.toContain("room");
  });

  it("shows at most a few", () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ username: `user${String(i).padStart(2, "0")}` }));
    const found = suggest(many, "user", { me: "bob", owner: true });
    expect(found).toHaveLength(MAX_SUGGESTIONS);
    expect(found[0]!.username).toBe("user00");
  });
});

describe("the composer's suggestions: picking one", () => {
  it("replaces what was typed with @username and a space, the caret after it", () => {
    expect(insertMention("hi @al", { start: 3, end: 6, query: "al" }, "alice")).toEqual({ text: "hi @alice ", caret: 10 });
    expect(insertMention("@", { start: 0, end: 1, query: "" }, "bob")).toEqual({ text: "@bob ", caret: 5 });
  });

  it("in the middle of a text, keeps what follows, a space between but not before punctuation", () => {
    expect(insertMention("hi @al there", { start: 3, end: 6, query: "al" }, "alice")).toEqual({ text: "hi @alice there", caret: 10 });
    expect(insertMention("hi @al, there", { start: 3, end: 6, query: "al" }, "alice")).toEqual({ text: "hi @alice, there", caret: 9 });
    expect(insertMention("@al🎉", { start: 0, end: 3, query: "al" }, "alice")).toEqual({ text: "@alice 🎉", caret: 7 });
  });

  it("a caret inside a name: the rest of the name goes too", () => {
    expect(insertMention("@alxyz ok", { start: 0, end: 3, query: "al" }, "alice")).toEqual({ text: "@alice ok", caret: 7 });
  });

  it("what is inserted is a mention the parser finds", () => {
    const { text } = insertMention("thanks @Al", { start: 7, end: 10, query: "Al" }, "alice");
    expect(mentions({ body: text }, "alice")).toBe(true);
  });
});

describe("chips in a message's text", () => {
  const members = new Set(["alice", "bob"]);
  const member = (name: string) => members.has(name);
  /** The pieces as text, chips in brackets. */
  const shown = (text: string, isChip = member) =>
    chipPieces(text, isChip).map((p) => (typeof p === "string" ? p : `[${text.slice(p.start, p.end)}]`)).join("");

  it("members' names are chips, with their offsets, as written", () => {
    expect(chipPieces("hi @Alice!", member)).toEqual(["hi ", { start: 3, end: 9, name: "alice" }, "!"]);
    expect(shown("@bob and @alice")).toBe("[@bob] and [@alice]");
  });

  it("names of people not in the room stay text", () => {
    expect(shown("@mallory and @alice")).toBe("@mallory and [@alice]");
    expect(chipPieces("@mallory says hi", member)).toEqual(["@mallory says hi"]);
  });

  it("@room is a chip only when the caller says the message mentions the room", () => {
    expect(shown("@room lunch")).toBe("@room lunch");
    expect(shown("@room lunch", (name) => name === "room")).toBe("[@room] lunch");
  });

  it("no chip in e-mail addresses, web addresses or code", () => {
    expect(shown("mail alice@bob.com")).toBe("mail alice@bob.com");
    expect(shown("see https://example.com/@alice and www.example.com/@bob, @bob")).toBe(
      "see https://example.com/@alice and www.example.com/@bob, [@bob]",
    );
    expect(shown("run `ping @alice` then @alice")).toBe("run `ping @alice` then [@alice]");
    expect(shown("```\n@alice\n``` @bob")).toBe("```\n@alice\n``` [@bob]");
    // An unpaired backtick is not code.
    expect(shown("a ` @alice")).toBe("a ` [@alice]");
  });

  it("text after non-BMP characters keeps its chips in place", () => {
    expect(shown("🎉🎉 @alice 𝒳")).toBe("🎉🎉 [@alice] 𝒳");
  });

  it("any text: the pieces put back together are the text", () => {
    const piece = fc.constantFrom("@alice", "@bob", "@room", "@eve", "`", "https://", "x", " ", "é", "🎉", "@");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 25 }).map((parts) => parts.join("")), (text) => {
        const pieces = chipPieces(text, (name) => name !== "eve");
        expect(pieces.map((p) => (typeof p === "string" ? p : text.slice(p.start, p.end))).join("")).toBe(text);
      }),
    );
  });
});

describe("mentions in code", () => {
  it("are no mentions: not in a code span, not in a fenced block, as the client shows no chip there", async () => {
    const { mentionSpans, mentions } = await import("../../worker/contract/mentions");
    expect(mentions({ body: "run `@alice deploy` now" }, "alice")).toBe(false);
    expect(mentions({ body: "```\n@alice\n```" }, "alice")).toBe(false);
    expect(mentions({ body: "```\nunclosed @alice" }, "alice")).toBe(false);
    // Outside the code, with offsets of the text as written.
    expect(mentionSpans("`x` @alice")).toEqual([{ start: 4, end: 10, name: "alice" }]);
    expect(mentions({ body: "a lone ` then @alice" }, "alice")).toBe(true);
  });
});
