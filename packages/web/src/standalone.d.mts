export declare function copyAssets(o: { app: string; appDir: string }): void;
export declare function start(o: {
  app: string;
  appDir: string;
  defaultPort: number;
  hostVariable: string;
}): Promise<void>;
