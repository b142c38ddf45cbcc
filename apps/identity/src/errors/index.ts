export * from "./ory.ts";
