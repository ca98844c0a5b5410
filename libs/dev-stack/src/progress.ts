/** Where long set-up steps (fetching and starting the broker) report what they are doing. */
export type Progress = (message: string) => void;

export const printProgress: Progress = (message) => process.stderr.write(`[dev-stack] ${message}\n`);
export const silentProgress: Progress = () => undefined;
