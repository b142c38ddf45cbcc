/** A session's device as a person recognises it: "Chrome 156 · Linux", or undefined when unknown. */
export declare function describeUserAgent(userAgent: string | undefined | null): string | undefined;
