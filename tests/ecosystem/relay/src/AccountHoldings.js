// Account.holdings as a Relay pagination fragment (@connection, refetchable on Account: Node).
import { graphql } from "react-relay";

export const AccountHoldings = graphql`
  fragment AccountHoldings_account on Account
  @refetchable(queryName: "AccountHoldingsPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    filter: { type: "HoldingFilter" }
  ) {
    id
    source
    address
    holdings(first: $count, after: $cursor, filter: $filter)
      @connection(key: "AccountHoldings_holdings", filters: ["filter"]) {
      totalCount
      edges {
        node {
          id
          amount
          rawAmount
          ...HoldingView_holding
        }
      }
    }
  }
`;
