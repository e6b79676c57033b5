/** The terminal's columns and rows, re-read on resize (the gemini-cli habit: layout follows the live size). */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export function useTerminalSize(): { columns: number; rows: number | undefined } {
  const { stdout } = useStdout();
  const tty = stdout as NodeJS.WriteStream | undefined;
  const read = () => ({ columns: tty?.columns || 80, rows: tty?.rows || undefined });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (!stdout?.on) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
