// A portfolio screen: the on-chain account at once, each custodial account's holdings deferred
// (Relay labels the deferred fragment and matches each incremental payload by its label and path).
import { graphql } from "react-relay";

export const PortfolioScreenQuery = graphql`
  query PortfolioScreenQuery($address: String!) {
    account(source: ALGORAND, address: $address) {
      id
      chainId
    }
    viewer {
      accounts {
        id
        source
        ...PortfolioScreen_account @defer
      }
    }
  }
`;

export const PortfolioScreenAccount = graphql`
  fragment PortfolioScreen_account on Account {
    holdings(first: 1) {
      edges {
        node {
          id
          amount
        }
      }
    }
  }
`;
