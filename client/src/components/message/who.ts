/** Who reacted with an emoji, as a phrase: "You, alice and 2 others", or "3 people" if no name is known. */
import type { Reaction } from "../../../../worker/contract/wire";

export function whoReacted(reaction: Reaction, names: Map<string, string>, myId: string): string {
  const known: string[] = [];
  for (const id of reaction.userIds) {
    const name = id === myId ? "you" : names.get(id);
    if (name) known.push(name);
  }
  if (known.length === 0) return reaction.count === 1 ? "1 person" : `${reaction.count} people`;
  // Me first, the others in the order they reacted.
  known.sort((a, b) => Number(b === "you") - Number(a === "you"));
  const others = reaction.count - known.length;
  if (others > 0) known.push(others === 1 ? "1 other" : `${others} others`);
  const phrase = known.length === 1 ? known[0]! : `${known.slice(0, -1).join(", ")} and ${known[known.length - 1]}`;
  return phrase.startsWith("you") ? `Y${phrase.slice(1)}` : phrase;
}
