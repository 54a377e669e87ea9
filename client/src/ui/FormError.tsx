/** A form's error line (announced as an alert); shared so every form shows errors alike. */
export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p class="form__error" role="alert">
      {error}
    </p>
  );
}
