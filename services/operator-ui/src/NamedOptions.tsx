/** One `<option>` per group or operator of a `<select>`: its id as the value, its name as the text. */
export function NamedOptions({ items }: { items: { id: string; name: string }[] }) {
  return (
    <>
      {items.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name}
        </option>
      ))}
    </>
  );
}
