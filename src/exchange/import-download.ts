import type { Api } from "grammy";

/** Telegram's Bot API gives bots files of up to 20 MB. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

export type DownloadResult = { ok: true; buffer: Buffer } | { ok: false; reason: "too_big" | "failed"; error?: string };

/**
 * Downloads a file a user sent: getFile, then the file URL on the same API root, through the
 * bot's own fetch (so a custom client — and the tests' fake Telegram — serves it too).
 */
export async function downloadTelegramFile(api: Api, fileId: string): Promise<DownloadResult> {
  try {
    const file = await api.getFile(fileId);
    if ((file.file_size ?? 0) > MAX_DOWNLOAD_BYTES) return { ok: false, reason: "too_big" };
    if (!file.file_path) return { ok: false, reason: "failed" };
    const root = api.options?.apiRoot ?? "https://api.telegram.org";
    const fetchFile = (api.options?.fetch ?? fetch) as (url: string) => Promise<Response>;
    const response = await fetchFile(`${root}/file/bot${api.token}/${file.file_path}`);
    if (!response.ok) return { ok: false, reason: "failed", error: `HTTP ${response.status}` };
    const declared = Number(response.headers.get("content-length") ?? 0);
    if (declared > MAX_DOWNLOAD_BYTES) return { ok: false, reason: "too_big" };
    const buffer = Buffer.from(await response.arrayBuffer());
    return buffer.length > MAX_DOWNLOAD_BYTES ? { ok: false, reason: "too_big" } : { ok: true, buffer };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: /too big/i.test(message) ? "too_big" : "failed", error: message };
  }
}
