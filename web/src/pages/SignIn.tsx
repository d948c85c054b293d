import { useState } from "preact/hooks";
import { session } from "../api/client";
import { ErrorMessage, TextInput } from "../components/ui";

export function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="signin">
      <form
        aria-labelledby="signin-title"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await session.signIn(email, password);
          } catch (err) {
            setError(err);
            setBusy(false);
          }
        }}
      >
        <h1 id="signin-title">Sign in to the partner portal</h1>
        <ErrorMessage error={error} />
        <TextInput label="E-mail" name="email" type="email" autoComplete="username" required value={email} onValue={setEmail} />
        <TextInput
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
