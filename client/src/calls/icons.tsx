/** Call controls draw with the shared icon set. */
export { Icon as CallIcon, type IconName as CallIconName } from "../ui/Icon";
