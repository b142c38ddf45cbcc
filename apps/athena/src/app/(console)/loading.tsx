import { LoadingRows } from "@/components/ui";

export default function Loading() {
  return <LoadingRows label="Loading" />;
}
