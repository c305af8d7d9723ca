// What the browser specs do with the dashboard page, in the words of its own labels.
// The callbacks given to page.evaluate run in the browser: DOM types.
/// <reference lib="dom" />
import type { Page } from 'playwright-core';

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').waitFor();
  await tableSettled(page);
}

/** Waits until the alerts table has rows (or says none match) and no load is in flight. */
export async function tableSettled(page: Page): Promise<void> {
  await page.locator('[data-testid=alerts-table][aria-busy=false]').waitFor();
}

/** Runs `action` and waits for the alerts list it triggers to be fetched and drawn. */
export async function reloadsTable(page: Page, action: () => Promise<unknown>): Promise<void> {
  const fetched = page.waitForResponse(
    (res) => res.url().includes('/api/alerts?') && res.request().method() === 'GET',
  );
  await action();
  await fetched;
  await tableSettled(page);
}

export function rowIds(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid=alerts-table] tbody tr[data-alert-id]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-alert-id')!));
}

/** The "N matching" count, as a number (10,000+ → 10000). */
export async function shownTotal(page: Page): Promise<number> {
  const text = await page.getByTestId('alerts-total').textContent();
  return Number((text ?? '').replace(/[^0-9]/g, ''));
}

export async function healthStatus(page: Page, status: string, timeout = 30_000): Promise<void> {
  await page.locator(`[data-testid=health-status]:text-is("${status}")`).waitFor({ timeout });
}

/** Every form control and button on the page without an accessible name. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const named = (el: Element): boolean => {
      if (el.getAttribute('aria-label')?.trim()) return true;
      const by = el.getAttribute('aria-labelledby');
      if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim()))
        return true;
      const labels = (el as HTMLInputElement).labels;
      if (labels && [...labels].some((l) => l.textContent?.trim())) return true;
      if (el.tagName === 'BUTTON' && el.textContent?.trim()) return true;
      return Boolean(el.getAttribute('title')?.trim());
    };
    return [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => (el as HTMLInputElement).type !== 'hidden' && !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
}
