// A page's query: an account by address, many by id (`nodes`), and the providers.
import { graphql } from "react-relay";

export const WalletPageQuery = graphql`
  query WalletPageQuery($source: Source!, $address: String!, $ids: [ID!]!) {
    account(source: $source, address: $address) {
      ...AccountHoldings_account
      ...AccountPositions_account
    }
    nodes(ids: $ids) {
      id
      ...AccountHoldings_account @alias
    }
    ...ProviderList_query
  }
`;
