import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

/** Every page: its one h1 (focused after navigation, see layout) and the window title. */
export function Page(props: {
  title: string;
  intro?: ComponentChildren;
  children?: ComponentChildren;
}) {
  useEffect(() => {
    document.title = `${props.title} · nonmerci`;
  }, [props.title]);
  return (
    <>
      <h1 tabIndex={-1}>{props.title}</h1>
      {props.intro ? <p class="intro">{props.intro}</p> : null}
      {props.children}
    </>
  );
}

/** A titled part of a page, as a landmark-free section with an h2. */
export function Section(props: {
  title: string;
  id: string;
  children: ComponentChildren;
  className?: string;
}) {
  return (
    <section class={`section ${props.className ?? ''}`} aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}
