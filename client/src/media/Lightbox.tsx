/** An image opened full size over the chat. */
import { useEffect, useRef } from "preact/hooks";
import { Icon } from "../ui/Icon";

export interface LightboxProps {
  url: string;
  name: string;
  caption: string;
  onClose: () => void;
}

/**
 * An image at full size in a modal <dialog>: Escape, the close button or a click beside the
 * image closes it, and focus goes back to the thumbnail. Loaded only when first opened.
 */
export function Lightbox({ url, name, caption, onClose }: LightboxProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    close.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      opener?.focus?.();
    };
  }, []);

  const title = caption.trim() || name;
  return (
    <dialog
      ref={ref}
      class="lightbox"
      aria-label={`Image: ${title}`}
      onClose={onClose}
      onClick={(event) => {
        const target = event.target as HTMLElement;
        if (target === ref.current || target.classList.contains("lightbox__stage")) onClose();
      }}
      data-testid="lightbox"
    >
      <div class="lightbox__stage">
        <img class="lightbox__img" src={url} alt={title} data-testid="lightbox-image" />
      </div>
      <div class="lightbox__bar">
        <span class="lightbox__title" title={title}>
          {title}
        </span>
        <a class="lightbox__link" href={url} target="_blank" rel="noopener noreferrer">
          Open original
        </a>
        <button
          ref={close}
          type="button"
          class="icon-btn lightbox__close"
          aria-label="Close image"
          onClick={onClose}
        >
          <Icon name="close" size={22} />
        </button>
      </div>
    </dialog>
  );
}
