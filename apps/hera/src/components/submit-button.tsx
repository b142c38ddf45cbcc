"use client";
import { type ReactNode, useEffect, useRef, useState } from "react";

/** The submission a form is busy with: a second one (a double click, Enter again) is dropped. */
const submitting = new WeakMap<HTMLFormElement, Event>();

/**
 * A submit button for Hera's own plain forms. Without JavaScript, or before the page hydrates, it is
 * an ordinary button and the form posts as it is. Once a submission starts, the form is aria-busy,
 * every button of it is disabled, and the one pressed shows a spinner and `pendingLabel`.
 */
export function SubmitButton(props: {
  children: ReactNode;
  pendingLabel: string;
  className?: string;
  name?: string;
  value?: string;
  "aria-label"?: string;
}) {
  const ref = useRef<HTMLButtonElement>(null);
  const [state, setState] = useState<"idle" | "busy" | "pressed">("idle");
  // Set once the button watches its form (hydrated): before that a press is a plain post.
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const form = ref.current?.form;
    if (!form) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onSubmit = (e: SubmitEvent) => {
      if (e.defaultPrevented) return;
      const earlier = submitting.get(form);
      if (earlier && earlier !== e) {
        e.preventDefault();
        return;
      }
      submitting.set(form, e);
      form.setAttribute("aria-busy", "true");
      const pressed = e.submitter === ref.current;
      // Disabled once the browser has read the form: a disabled submitter would not send its name and value.
      timer = setTimeout(() => setState(pressed ? "pressed" : "busy"), 0);
    };
    // Back to this page from the browser's cache: the form can be used again.
    const onPageShow = (e: PageTransitionEvent) => {
      if (!e.persisted) return;
      submitting.delete(form);
      form.removeAttribute("aria-busy");
      setState("idle");
    };
    form.addEventListener("submit", onSubmit);
    window.addEventListener("pageshow", onPageShow);
    setReady(true);
    return () => {
      clearTimeout(timer);
      form.removeEventListener("submit", onSubmit);
      window.removeEventListener("pageshow", onPageShow);
    };
  }, []);
  const pressed = state === "pressed";
  return (
    <button
      ref={ref}
      type="submit"
      name={props.name}
      value={props.value}
      className={props.className ?? "hera-button"}
      disabled={state !== "idle"}
      aria-busy={pressed || undefined}
      aria-label={pressed ? undefined : props["aria-label"]}
      data-ready={ready || undefined}
    >
      {pressed ? (
        <>
          <span className="hera-spinner" aria-hidden="true" />
          {props.pendingLabel}
        </>
      ) : (
        props.children
      )}
    </button>
  );
}
