// Account.positions as a Relay pagination fragment (@connection).
import { graphql } from "react-relay";

export const AccountPositions = graphql`
  fragment AccountPositions_account on Account
  @refetchable(queryName: "AccountPositionsPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    kind: { type: "PositionKind" }
  ) {
    positions(first: $count, after: $cursor, kind: $kind)
      @connection(key: "AccountPositions_positions", filters: ["kind"]) {
      edges {
        node {
          ...PositionView_position
        }
      }
    }
  }
`;
