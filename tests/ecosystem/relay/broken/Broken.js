// Deliberately wrong: `providers` on Account is a plain list, not a connection, so Relay's
// compiler must refuse @connection on it (the test proving the Relay test can fail).
import { graphql } from "react-relay";

export const Broken = graphql`
  fragment Broken_account on Account {
    providers @connection(key: "Broken_providers") {
      slug
    }
  }
`;
