import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "PenguinMails ESP Integration",
  description: "Send through Postmark, Mailgun and your own SMTP relays with routing, failover and analytics.",
  icons: { icon: "/favicon.svg" },
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
